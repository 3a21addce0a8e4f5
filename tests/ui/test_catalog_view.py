"""The Catalog view at laptop and desktop sizes: mouse and keyboard selection, typed filters (box and
per-column row), export of exactly what is shown, read back from CSV and XLSX.

Real window, real SQLite catalog (the samples of catalog_samples as shipped rows plus two user rows),
real mouse clicks on the table's viewport. Expected rows and figures are worked out by hand from the
sample values; the export is compared with what the view shows, cell by cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui import catalog_samples as s
from tests.ui.test_catalog_filter_model import G2
from tests.ui.test_catalog_page import MY_SKU, write_catalog_csvs
from ui.models.columns import is_numeric

pytestmark = pytest.mark.gui

SIZES = [(1366, 768), (1920, 1080)]


@pytest.fixture
def catalog_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from db import catalog as db_catalog
    from db.session import dispose_engines, get_engine

    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    engine = get_engine(url, catalog_dir=write_catalog_csvs(tmp_path / "shipped"))
    db_catalog.save_row(engine, MY_SKU)
    db_catalog.save_row(engine, G2)
    monkeypatch.setenv("PLANNER_DB", url)
    yield url
    dispose_engines()


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def page(request: Any, pinned_today: object, catalog_db: str, main_window: Any, qtbot: Any) -> Any:
    width, height = request.param
    main_window.resize(width, height)
    main_window.show_page("Catalog")
    catalog = main_window.pages["Catalog"]
    qtbot.waitUntil(catalog.is_ready, timeout=30_000)
    assert catalog.last_error() is None
    catalog.show_table("cloud")
    qtbot.wait(50)  # columns are sized one per event-loop turn
    catalog.size_label = f"{width}x{height}"
    return catalog


def click_row(qtbot: Any, page: Any, value: Any, key: str = "instance") -> None:
    """A real left click on ``value``'s row, in its ``key`` cell, on the view's viewport."""
    view = page.views[page.current_table()]
    model = page.models[page.current_table()]
    row = model.row_of(value)
    assert row >= 0, f"{value} is not shown"
    index = model.index(row, model.column_index(key))
    view.scrollTo(index)
    rect = view.visualRect(index)
    assert view.viewport().rect().contains(rect.center()), "the row is not on screen"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def shown_instances(page: Any) -> set[str]:
    return {v.instance for v in page.models["cloud"].visible_values()}


def type_filter(qtbot: Any, page: Any, text: str) -> None:
    page.filter_edit.clear()
    qtbot.keyClicks(page.filter_edit, text)


def column_box(page: Any, key: str) -> Any:
    return page.headers["cloud"].editors[page.models["cloud"].column_index(key)]


def save_shot(page: Any, name: str, artifacts_dir: Path) -> Path:
    path = artifacts_dir / f"catalog_view_{name}_{page.size_label}.png"
    assert page.window_.grab().save(str(path))
    return path


def test_mouse_click_and_keyboard_share_one_selection(page: Any, qtbot: Any, artifacts_dir: Path) -> None:
    assert page.selected_value() is None
    assert not page.duplicate_button.isEnabled()
    click_row(qtbot, page, G2)
    qtbot.waitUntil(page.is_ready, timeout=10_000)  # the price history is read on the lane
    assert page.selected_value() == G2
    text = page.details.toPlainText()
    assert "Google Cloud g2-standard-4" in text
    assert "https://cloud.google.com/compute/gpus-pricing#h100-and-l4" in text
    assert "As of: 2026-06-01" in text
    assert page.edit_button.isEnabled() and page.duplicate_button.isEnabled()  # a user row

    click_row(qtbot, page, s.P5, key="provider")
    qtbot.waitUntil(page.is_ready, timeout=10_000)
    assert page.selected_value() == s.P5
    assert "https://example.com/p5.48xlarge" in page.details.toPlainText()
    assert not page.edit_button.isEnabled() and page.duplicate_button.isEnabled()  # shipped: read-only
    assert page.duplicate_button.text() == "Duplicate to edit…"

    view = page.views["cloud"]
    model = page.models["cloud"]
    below = model.value_at(model.row_of(s.P5) + 1)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.waitUntil(page.is_ready, timeout=10_000)
    assert page.selected_value() == below
    assert below.source_url in page.details.toPlainText()
    assert [i.row() for i in view.selectionModel().selectedRows()] == [model.row_of(below)]
    save_shot(page, "selected", artifacts_dir)


def test_typed_filters_search_the_shown_columns(page: Any, qtbot: Any, artifacts_dir: Path) -> None:
    everything = {v.instance for v in [*s.CLOUD, MY_SKU, G2]}
    assert shown_instances(page) == everything
    type_filter(qtbot, page, "h100")  # G2's hidden source URL mentions H100s: not found
    assert shown_instances(page) == {s.P5.instance, s.LAMBDA_H100.instance, MY_SKU.instance}
    type_filter(qtbot, page, "spot h100")  # H100 rows with a spot price
    assert shown_instances(page) == {s.P5.instance}
    type_filter(qtbot, page, "$/gpu-h<3")
    assert shown_instances(page) == {s.VERTEX_A100.instance, s.LAMBDA_H100.instance, G2.instance}
    assert page.count_label.text().startswith("3 of 6 rows")
    assert not page.filter_error.isVisibleTo(page)

    page.filter_edit.setText("$/gpu-h<3 foo:1")  # pasted: the rows of the last good query stay
    assert page.filter_error.isVisibleTo(page)
    assert page.filter_error.text().startswith("unknown column 'foo'; columns are provider, kind")
    assert shown_instances(page) == {s.VERTEX_A100.instance, s.LAMBDA_H100.instance, G2.instance}
    save_shot(page, "filter_error", artifacts_dir)

    # The per-column row: a box under the GPUs header and one under $/GPU-h, with the filter box.
    type_filter(qtbot, page, "")
    gpus_box, price_box = column_box(page, "gpu_count"), column_box(page, "usd_per_gpu_hour")
    assert gpus_box.isVisible() and price_box.isVisible()
    header = page.headers["cloud"]
    column = page.models["cloud"].column_index("usd_per_gpu_hour")
    assert abs(price_box.x() - header.sectionViewportPosition(column)) <= 2  # under its own header
    qtbot.mouseClick(price_box, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(price_box, "<3")
    assert shown_instances(page) == {s.VERTEX_A100.instance, s.LAMBDA_H100.instance, G2.instance}
    qtbot.keyClicks(gpus_box, "=8")
    assert shown_instances(page) == {s.LAMBDA_H100.instance}
    gpus_box.clear()
    qtbot.keyClicks(page.filter_edit, "google")
    assert shown_instances(page) == {s.VERTEX_A100.instance, G2.instance}
    qtbot.keyClicks(price_box, "x")
    assert page.filter_error.text().startswith("$/GPU-h filter:")
    assert "#b00020" in price_box.styleSheet() and page.filter_edit.styleSheet() == ""
    save_shot(page, "filtered", artifacts_dir)
    qtbot.keyClick(price_box, Qt.Key.Key_Backspace)
    assert price_box.styleSheet() == "" and not page.filter_error.isVisibleTo(page)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def read_xlsx(path: Path) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def test_export_writes_exactly_what_is_shown(page: Any, qtbot: Any, tmp_path: Path) -> None:
    model = page.models["cloud"]
    header = page.headers["cloud"]
    # The user moves $/GPU-h to the front, hides Region, filters to Google rows under $3 a GPU-hour.
    header.moveSection(header.visualIndex(model.column_index("usd_per_gpu_hour")), 0)
    page.set_column_visible("cloud", model.column_index("region"), False)
    type_filter(qtbot, page, "google")
    qtbot.keyClicks(column_box(page, "usd_per_gpu_hour"), "<3")
    assert model.rowCount() == 2
    shown = page.shown_columns("cloud")
    assert shown[0] == model.column_index("usd_per_gpu_hour")
    assert model.column_index("region") not in shown
    labels = [model.columns[c].label for c in shown]

    for name in ("shown.csv", "shown.xlsx"):
        path = tmp_path / name
        page.export_shown("cloud", path)
        qtbot.waitUntil(page.is_ready, timeout=20_000)
        assert page.last_error() is None
        rows = read_csv(path) if name.endswith(".csv") else read_xlsx(path)
        assert rows[0] == labels
        assert len(rows) == 1 + model.rowCount()
        for r, line in enumerate(rows[1:]):
            for cell, c in zip(line, shown, strict=True):
                col = model.columns[c]
                raw, text = model.raw(r, c), model.display(r, c)
                if is_numeric(col.kind) and raw is not None:
                    assert float(cell) == pytest.approx(float(raw)), (name, col.label)
                elif col.kind == "date":
                    assert str(cell)[:10] == text, (name, col.label)
                else:
                    assert (cell or "") == text, (name, col.label)
        # The derived per-GPU price, by hand: Vertex 2.93 (per GPU as published), G2 0.7059 / 1 GPU.
        assert sorted(float(line[0]) for line in rows[1:]) == pytest.approx([0.7059, 2.93])
        assert "Exported the 2 Cloud SKUs rows shown" in page.message_label.text()


def test_a_hidden_columns_box_stops_filtering(page: Any, qtbot: Any) -> None:
    model = page.models["cloud"]
    qtbot.keyClicks(column_box(page, "region"), "us-central")
    assert shown_instances(page) == {s.VERTEX_A100.instance, G2.instance}
    page.set_column_visible("cloud", model.column_index("region"), False)
    assert not column_box(page, "region").isVisible()
    assert model.rowCount() == 6  # the hidden Region column no longer filters
    page.set_column_visible("cloud", model.column_index("region"), True)
    assert shown_instances(page) == {s.VERTEX_A100.instance, G2.instance}
    assert page.export_shown_action.text().startswith("Rows and columns shown")
