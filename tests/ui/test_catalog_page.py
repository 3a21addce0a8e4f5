"""The Catalog view driven inside the real main window, on a real SQLite catalog.

The catalog is seeded as a *shipped* catalog from the small sample in catalog_samples (written to CSV
with the catalog's own header), plus one user row saved through db.catalog, so every expected count
and figure below comes from values the test knows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from tests.conftest import qt_settings_in
from tests.dates import TODAY
from tests.ui import catalog_samples as s
from ui.dialogs.row_editor import value_text
from ui.models import TABLE_TITLES, TABLES

pytestmark = pytest.mark.gui

MY_SKU = s.sku("my-h100-box", "H100 SXM", 8, "instance", 40.0, provider="Acme GPU", origin="user")


def write_catalog_csvs(folder: Path) -> Path:
    from db.schema import SPECS

    folder.mkdir(parents=True, exist_ok=True)
    for table, spec in SPECS.items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(spec.header)
            for value in s.ALL[table]:
                if table == "servers" and value.gpu_name not in s.GPU_LOOKUP:
                    continue  # the catalog refuses a server whose GPU it does not know
                writer.writerow([value_text(getattr(value, name, "")) for name in spec.header])
    return folder


@pytest.fixture
def sample_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite catalog whose shipped rows are the samples; the window finds it through PLANNER_DB."""
    from db import catalog as db_catalog
    from db.session import dispose_engines, get_engine

    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    engine = get_engine(url, catalog_dir=write_catalog_csvs(tmp_path / "shipped"))
    db_catalog.save_row(engine, MY_SKU)
    monkeypatch.setenv("PLANNER_DB", url)
    yield url
    dispose_engines()


@pytest.fixture
def page(pinned_today: object, sample_db: str, main_window: Any, qtbot: Any) -> Any:
    catalog = main_window.pages["Catalog"]
    qtbot.waitUntil(catalog.is_ready, timeout=30_000)
    assert catalog.last_error() is None
    return catalog


def wait_ready(qtbot: Any, page: Any) -> None:
    qtbot.waitUntil(page.is_ready, timeout=30_000)


def test_tabs_load_every_table(page: Any) -> None:
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [TABLE_TITLES[t] for t in TABLES]
    assert set(page.models["cloud"].values()) == {*s.CLOUD, MY_SKU}
    assert page.models["gpus"].total_count() == len(s.GPUS)
    assert page.models["servers"].values() == [s.DGX_H100]
    assert set(page.models["models"].values()) == set(s.MODELS)
    assert set(page.models["fx"].values()) == set(s.FX)


def test_filter_by_typing(page: Any, qtbot: Any) -> None:
    page.show_table("cloud")
    qtbot.keyClicks(page.filter_edit, "h100")
    expected = {v for v in [*s.CLOUD, MY_SKU] if "h100" in f"{v.gpu_name} {v.instance}".lower()}
    assert set(page.models["cloud"].visible_values()) == expected
    assert page.count_label.text().startswith(f"{len(expected)} of 5 rows")
    qtbot.keyClicks(page.filter_edit, " acme")
    assert page.models["cloud"].visible_values() == [MY_SKU]
    page.filter_edit.clear()
    assert page.models["cloud"].rowCount() == 5
    page.show_table("gpus")  # the same filter text follows the tab
    qtbot.keyClicks(page.filter_edit, "stale")
    assert page.models["gpus"].visible_values() == [s.A100]


def test_select_row_shows_details_with_source_link(page: Any) -> None:
    page.show_table("cloud")
    assert page.select_value(s.P5)
    text = page.details.toPlainText()
    assert "AWS p5.48xlarge" in text
    assert "https://example.com/p5.48xlarge" in text and "As of: 2026-06-01" in text
    assert f"${55.04 / 8:.2f}" in text  # the derived $/GPU-h, formatted
    assert 'href="https://example.com/p5.48xlarge"' in page.details.toHtml()
    assert page.details.openExternalLinks()
    assert "Stale" not in text
    page.select_value(s.P4D)
    assert "Stale" in page.details.toPlainText()


def test_shipped_row_is_read_only_and_duplicate_to_edit(page: Any, qtbot: Any) -> None:
    page.show_table("cloud")
    page.select_value(s.P5)
    wait_ready(qtbot, page)  # the details pane reads the row's price history on the lane
    assert not page.edit_button.isEnabled() and not page.delete_button.isEnabled()
    assert page.duplicate_button.text() == "Duplicate to edit…"
    qtbot.mouseClick(page.duplicate_button, Qt.MouseButton.LeftButton)
    dialog = page.editor_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.field_text("instance") == "p5.48xlarge (copy)"
    dialog.set_field("on_demand_per_hour", "-5")
    dialog.set_field("gpu_name", "H100 SMX")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # refused: the reasons are shown at the fields
    assert "negative" in dialog.error_text("on_demand_per_hour")
    assert "unknown GPU name 'H100 SMX'" in dialog.error_text("gpu_name")
    assert page.is_ready()  # nothing was submitted
    dialog.set_field("gpu_name", "H100 SXM")
    dialog.set_field("on_demand_per_hour", "50 USD/h")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    wait_ready(qtbot, page)
    assert page.last_error() is None
    copies = [v for v in page.models["cloud"].values() if v.instance == "p5.48xlarge (copy)"]
    assert len(copies) == 1 and copies[0].origin == "user"
    assert copies[0].on_demand_per_hour == 50.0
    assert s.P5 in page.models["cloud"].values()  # the shipped row is untouched
    assert page.selected_value() == copies[0]  # the new row is selected
    assert page.edit_button.isEnabled()


def test_edit_user_row_keeps_its_key(page: Any, qtbot: Any) -> None:
    page.show_table("cloud")
    page.select_value(MY_SKU)
    dialog = page.edit_selected()
    assert not dialog.editors["instance"].isEnabled()
    dialog.set_field("spot_per_hour", "12.5")
    dialog.accept()
    wait_ready(qtbot, page)
    edited = [v for v in page.models["cloud"].values() if v.instance == "my-h100-box"]
    assert [v.spot_per_hour for v in edited] == [12.5]


def test_delete_user_row(page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def yes(_parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    page.show_table("cloud")
    page.select_value(MY_SKU)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    wait_ready(qtbot, page)
    assert asked == ["Delete Acme GPU my-h100-box from the catalog?"]
    assert MY_SKU not in page.models["cloud"].values()
    assert page.models["cloud"].total_count() == len(s.CLOUD)
    from db import catalog as db_catalog
    from db.session import get_engine

    assert MY_SKU not in db_catalog.list_cloud_skus(get_engine(page.db_url))


def test_import_malformed_csv_lists_every_error_and_writes_nothing(
    page: Any, qtbot: Any, tmp_path: Path
) -> None:
    from db.schema import SPECS

    header = SPECS["cloud"].header
    good = {name: value_text(getattr(MY_SKU, name, "")) for name in header}
    bad_rows = [
        {**good, "instance": "ok-row"},
        {**good, "instance": "bad-gpu", "gpu_name": "H100 SMX"},
        {**good, "instance": "negative", "on_demand_per_hour": "-3"},
        {**good, "instance": "units", "on_demand_per_hour": "80GB"},
        {**good, "instance": "nosource", "source_url": ""},
        {**good, "instance": "future", "as_of": "2999-01-01"},
    ]
    path = tmp_path / "bad_cloud.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(bad_rows)
    before = page.models["cloud"].values()
    page.show_table("cloud")
    page.import_file(path)
    wait_ready(qtbot, page)
    dialog = page.import_errors_dialog
    assert dialog is not None and dialog.isVisible()
    listed = {(e.row, e.column) for e in dialog.errors}
    assert listed == {
        (3, "gpu_name"),
        (4, "on_demand_per_hour"),
        (5, "on_demand_per_hour"),
        (6, "source_url"),
        (7, "as_of"),
    }
    assert dialog.table.rowCount() == 5
    assert "Nothing was written" in dialog.findChild(type(page.count_label)).text()
    reasons = [dialog.table.item(r, 2).text() for r in range(5)]
    assert any("unknown GPU name 'H100 SMX'" in r for r in reasons)
    assert any("future" in r for r in reasons)
    assert page.models["cloud"].values() == before
    from db import catalog as db_catalog
    from db.session import get_engine

    assert all(v.instance != "ok-row" for v in db_catalog.list_cloud_skus(get_engine(page.db_url)))
    dialog.close()


def test_import_and_export_round_trip(page: Any, qtbot: Any, tmp_path: Path) -> None:
    out = tmp_path / "cloud.csv"
    page.export_table("cloud", out)
    wait_ready(qtbot, page)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["instance"] for r in rows} == {v.instance for v in [*s.CLOUD, MY_SKU]}
    rows[0]["instance"] = "imported-one"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(rows[0])
    page.import_file(out)
    wait_ready(qtbot, page)
    assert page.import_errors_dialog is None
    imported = [v for v in page.models["cloud"].values() if v.instance == "imported-one"]
    assert [v.origin for v in imported] == ["imported"]
    assert "1 new" in page.message_label.text()


def test_column_chooser_hides_and_shows_columns(page: Any) -> None:
    view, model = page.views["cloud"], page.models["cloud"]
    column = model.column_index("reserved_1y_per_hour")
    assert view.isColumnHidden(column)
    menu = page.column_menu("cloud")
    action = next(a for a in menu.actions() if a.text() == "1-yr $/h")
    assert not action.isChecked()
    action.trigger()
    assert not view.isColumnHidden(column)
    assert "reserved_1y_per_hour" not in QSettings().value("catalog/hidden_columns/cloud")
    gpu_h = model.column_index("usd_per_gpu_hour")
    page.set_column_visible("cloud", gpu_h, False)
    assert view.isColumnHidden(gpu_h)
    page.reset_columns("cloud")
    assert view.isColumnHidden(column) and not view.isColumnHidden(gpu_h)


def test_header_click_sorts_numerically(page: Any, qtbot: Any) -> None:
    page.show_table("cloud")
    view, model = page.views["cloud"], page.models["cloud"]
    column = model.column_index("usd_per_gpu_hour")
    view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    values = [model.raw(r, column) for r in range(model.rowCount())]
    assert values == sorted(values)
    assert values[0] == pytest.approx(2.93)


def test_screenshots_of_every_tab_on_the_shipped_catalog(
    main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    """The real shipped catalog, one PNG per tab (first row selected so the details pane shows)."""
    page = main_window.pages["Catalog"]
    main_window.show_page("Catalog")
    wait_ready(qtbot, page)
    assert page.last_error() is None
    for table in TABLES:
        page.show_table(table)
        model = page.models[table]
        assert model.rowCount() > 0, f"the shipped {table} table is empty"
        page.select_value(model.value_at(0))
        qtbot.wait(20)
        path = artifacts_dir / f"catalog_{table}.png"
        assert main_window.grab().save(str(path))
        assert path.stat().st_size > 10_000


def test_screenshots_of_dialogs(page: Any, qtbot: Any, artifacts_dir: Path, tmp_path: Path) -> None:
    page.show_table("cloud")
    page.select_value(s.P4D)
    dialog = page.duplicate_selected()
    dialog.set_field("on_demand_per_hour", "80GB")
    dialog.validate()
    qtbot.wait(20)
    assert dialog.grab().save(str(artifacts_dir / "catalog_editor.png"))
    dialog.reject()
    path = tmp_path / "bad.csv"
    path.write_text("provider,instance\nAWS,x\n", encoding="utf-8")
    page.import_file(path, "cloud")
    wait_ready(qtbot, page)
    assert page.import_errors_dialog is not None
    qtbot.wait(20)
    assert page.import_errors_dialog.grab().save(str(artifacts_dir / "catalog_import_errors.png"))
    page.import_errors_dialog.close()


def test_unreachable_database_is_reported_not_swallowed(qtbot: Any, tmp_path: Path) -> None:
    from ui.main_window import MainWindow
    from ui.pages.catalog import CatalogPage

    qt_settings_in(tmp_path / "qsettings")
    window = MainWindow(db_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    qtbot.addWidget(window)
    page = window.pages["Catalog"]
    assert isinstance(page, CatalogPage)
    try:
        qtbot.waitUntil(page.is_ready, timeout=30_000)
        error = page.last_error()
        assert error == "cannot reach the team catalog at 127.0.0.1:1/none (connection refused)"
        assert page.message_label.isVisibleTo(page) and page.message_label.text() == error
        assert page.models["gpus"].rowCount() == 0
    finally:
        window.shutdown_workers()
        window.close()


def test_duplicate_fx_rate_is_a_new_dated_rate(page: Any, qtbot: Any) -> None:

    page.show_table("fx")
    page.select_value(s.EUR_USD)
    dialog = page.duplicate_selected()
    assert dialog.field_text("as_of") == TODAY.isoformat()
    dialog.set_field("rate", "1.1")
    dialog.accept()
    wait_ready(qtbot, page)
    assert page.last_error() is None
    added = [v for v in page.models["fx"].values() if v.origin == "user"]
    assert [(v.base, v.quote, v.rate, v.as_of) for v in added] == [("EUR", "USD", 1.1, TODAY)]
    assert s.EUR_USD in page.models["fx"].values()


def test_saving_over_a_shipped_row_is_refused_with_the_reason(page: Any, qtbot: Any) -> None:
    page.show_table("gpus")
    dialog = page.add_row()
    for name, text in {
        "vendor": "NVIDIA",
        "name": "H100 SXM",  # the natural key of a shipped row
        "form_factor": "SXM",
        "memory_gb": "80GB",
        "memory_bandwidth_gbs": "3.35 TB/s",
        "bf16_dense_tflops": "989",
        "tdp_w": "700",
        "interconnect": "NVLink",
        "interconnect_gbs": "900",
        "source_url": "https://example.com/mine",
        "as_of": "2026-01-01",
    }.items():
        dialog.set_field(name, text)
    dialog.accept()
    assert not dialog.isVisible()  # every field is valid on its own...
    wait_ready(qtbot, page)
    error = page.last_error()
    assert error and "shipped catalog row" in error  # ...but the catalog refuses to overwrite its row
    assert page.message_label.isVisibleTo(page) and "shipped" in page.message_label.text()
    assert s.H100 in page.models["gpus"].values()


def _write_cloud_file(page: Any, qtbot: Any, path: Path) -> None:
    """Export the cloud table, then keep two rows: the shipped p5.48xlarge at a new price, and a new row."""
    page.export_table("cloud", path)
    wait_ready(qtbot, page)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    shipped = next(r for r in rows if r["instance"] == s.P5.instance)
    shipped["on_demand_per_hour"] = "49.5"
    new = {**shipped, "instance": "p5-new-row", "on_demand_per_hour": "51"}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(shipped))
        writer.writeheader()
        writer.writerows([shipped, new])


def _cloud_in_db(page: Any) -> dict[str, Any]:
    from db import catalog as db_catalog
    from db.session import get_engine

    return {v.instance: v for v in db_catalog.list_cloud_skus(get_engine(page.db_url))}


def test_import_changing_a_shipped_row_is_refused_unless_taken_over(
    page: Any, qtbot: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    path = tmp_path / "cloud_changes.csv"
    _write_cloud_file(page, qtbot, path)
    before = _cloud_in_db(page)
    page.show_table("cloud")
    page.import_file(path)  # replace_shipped is off by default
    wait_ready(qtbot, page)
    dialog = page.import_errors_dialog
    assert dialog is not None and dialog.isVisible()
    assert [(e.row, e.column) for e in dialog.errors] == [(2, "on_demand_per_hour")]
    assert "changes the shipped row" in dialog.errors[0].reason
    assert _cloud_in_db(page) == before  # refused: neither the change nor the new row was written
    button = page.take_over_button
    assert button is not None and button.text() == "Import and take over this shipped row"
    assert not button.isDefault() and not button.autoDefault()  # a click, never the Enter key
    qtbot.wait(20)
    assert dialog.grab().save(str(artifacts_dir / "catalog_import_take_over.png"))
    button.click()
    wait_ready(qtbot, page)
    assert page.import_errors_dialog is None and not dialog.isVisible()
    after = _cloud_in_db(page)
    assert after[s.P5.instance].on_demand_per_hour == 49.5
    assert after[s.P5.instance].origin == "imported"  # taken over: app updates no longer touch it
    assert after["p5-new-row"].on_demand_per_hour == 51.0
    from db.io import ImportReport

    expected = ImportReport("cloud", inserted=1, updated=1, unchanged=0, took_over=1).summary()
    assert expected in page.window_.statusBar().currentMessage()
    assert "took over 1 shipped row" in page.message_label.text()


def test_take_over_is_not_offered_when_other_problems_exist(page: Any, qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "cloud_mixed.csv"
    _write_cloud_file(page, qtbot, path)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[1]["on_demand_per_hour"] = "-3"  # a plain error: the file must be fixed, not taken over
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    page.import_file(path)
    wait_ready(qtbot, page)
    assert page.import_errors_dialog is not None
    assert page.take_over_button is None
    page.import_errors_dialog.close()


def test_successful_import_puts_the_report_summary_in_the_status_bar(
    page: Any, qtbot: Any, tmp_path: Path
) -> None:
    out = tmp_path / "one.csv"
    _write_cloud_file(page, qtbot, out)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(rows[1])  # only the new row
    page.import_file(out)
    wait_ready(qtbot, page)
    from db.io import ImportReport

    status = page.window_.statusBar().currentMessage()
    assert status == f"Imported one.csv — {ImportReport('cloud', 1, 0).summary()}"


def test_form_factor_hint_lists_every_accepted_value() -> None:
    from db.schema import FORM_FACTORS
    from ui.models.columns import FORM_FACTOR_HINT, GPU_COLUMNS

    assert FORM_FACTOR_HINT.split(" / ") == list(FORM_FACTORS)
    column = next(c for c in GPU_COLUMNS if c.key == "form_factor")
    assert column.tip == FORM_FACTOR_HINT
