"""The Quotes view driven with pytest-qt on the real MainWindow and a temporary database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from db.catalog import save_row
from db.quotes import load_mapping_file
from db.session import dispose_engines, get_engine
from planner.project import OnPremOption, load_project
from tests.dates import TODAY
from tests.quotes.expected import EUR_USD, GBP_USD

DATA = Path(__file__).resolve().parents[1] / "data" / "quotes"

pytestmark = pytest.mark.gui


@pytest.fixture
def quotes_page(pinned_today: object, main_window: Any, qtbot: Any) -> Any:
    engine = get_engine(main_window.db_url)
    save_row(engine, EUR_USD)
    save_row(engine, GBP_USD)
    page = main_window.pages["Quotes"]
    main_window.show_page("Quotes")
    qtbot.waitUntil(page.is_ready, timeout=20_000)
    yield page
    qtbot.waitUntil(page.is_ready, timeout=20_000)
    dispose_engines()


def _wait(qtbot: Any, page: Any, n: int) -> None:
    qtbot.waitUntil(lambda: page.is_ready() and len(page.figures) == n, timeout=20_000)


def test_quotes_page_end_to_end(
    quotes_page: Any, qtbot: Any, main_window: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    from PySide6.QtCore import QDate

    from ui.pages.quotes import ImportRequest

    page = quotes_page
    # 1. Northwind through the column-mapping dialog (standard headers are recognised).
    dialog = page.open_import_dialog(DATA / "northwind_usd.csv")
    assert dialog is not None
    assert dialog.header_spin.value() == 1
    assert dialog.combos["unit_price"].currentData() == "Unit Price"
    dialog.set_vendor("Northwind Systems")
    dialog.date_check.setChecked(True)
    dialog.date_edit.setDate(QDate(2026, 10, 28))
    dialog.valid_check.setChecked(True)
    dialog.valid_edit.setDate(QDate(2026, 12, 31))
    dialog._accept()
    _wait(qtbot, page, 1)
    # 2. The two other vendors with their mapping files.
    page.import_file(
        ImportRequest(
            DATA / "rheinwerk_eur.xlsx",
            "Rheinwerk Computing GmbH",
            load_mapping_file(DATA / "rheinwerk_mapping.json"),
            None,
            None,
            None,
        )
    )
    _wait(qtbot, page, 2)
    page.import_file(
        ImportRequest(
            DATA / "albion_gbp.csv",
            "Albion Compute Ltd",
            load_mapping_file(DATA / "albion_mapping.json"),
            TODAY - dt.timedelta(days=31),
            TODAY + dt.timedelta(days=30),  # valid on the day the test states (tests.dates.TODAY)
            None,
        )
    )
    _wait(qtbot, page, 3)
    # 3. A project gives the site terms and the cloud reference lines.
    page.set_project(load_project(DATA / "project_h100.json"), None)
    qtbot.waitUntil(lambda: page.is_ready() and len(page.chart.references) == 2, timeout=20_000)

    vendors = [f.quote.vendor for f in page.figures]
    assert vendors == ["Northwind Systems", "Rheinwerk Computing GmbH", "Albion Compute Ltd"]
    best = page.best_columns()
    albion = vendors.index("Albion Compute Ltd")
    northwind = vendors.index("Northwind Systems")
    # Albion is cheapest per GPU (33,414 USD, README) but incomplete; Rheinwerk expired: Northwind is best.
    assert set(best.values()) == {northwind} and len(best) == 5
    from ui.pages.quotes import BEST_BACKGROUND, ROWS

    keys = [k for k, _ in ROWS]
    row = keys.index("per_gpu_usd")
    item = page.table.item(row, albion)
    assert item.text() == "33,414" and item.background().color() != BEST_BACKGROUND and not item.font().bold()
    assert item.toolTip().startswith("not eligible for best: incomplete: no support")
    nw_item = page.table.item(row, northwind)
    assert (
        nw_item.text() == "39,903"
        and nw_item.background().color() == BEST_BACKGROUND
        and nw_item.font().bold()
    )
    assert page.table.item(keys.index("eligible"), albion).text() == "no: incomplete"
    assert page.table.item(keys.index("eligible"), northwind).text() == "yes"
    assert "incomplete" in page.table.horizontalHeaderItem(albion).text()
    adjustment = page.table.item(keys.index("adjustments"), albion)
    assert adjustment.text() == "+66,625 USD network allowance for a 2-node cluster"  # 12.5 % × 533,000
    assert "12.5 %" in adjustment.toolTip()
    assert page.table.item(keys.index("adjustments"), northwind).text() == "—"
    assert "never green" in page.basis_label.text()
    expired_col = vendors.index("Rheinwerk Computing GmbH")
    assert "EXPIRED" in page.table.horizontalHeaderItem(expired_col).text()
    assert page.table.item(keys.index("eligible"), expired_col).text() == "no: expired"
    warnings = page.table.item([k for k, _ in ROWS].index("warnings"), albion).text()
    assert "no support or warranty years stated" in warnings and "no rails or installation" in warnings
    assert len(page.chart.bars) == 3 and all(b.usd_per_gpu_hour for b in page.chart.bars)
    assert page.chart.bars[expired_col].expired
    assert page.chart.bars[albion].incomplete and page.chart.best_index == northwind

    # 4. Lines of the selected quote; confirm the suggested catalog match of its server line.
    assert page.select_quote(page.figures[albion].quote.id)
    assert page.lines.rowCount() == 2 and page.lines.item(0, 7).text().endswith("(suggested)")
    suggested = page.figures[albion].quote.lines[0].server_model
    page.lines.selectRow(0)
    page.confirm_selected_line()
    qtbot.waitUntil(
        lambda: page.is_ready() and page.figures[albion].quote.lines[0].match_confirmed, timeout=20_000
    )
    confirmed = page.figures[albion].quote.lines[0]
    assert confirmed.server_model == suggested  # the shipped catalog's 8x H100 SXM platform
    assert page.lines.item(0, 7).text() == suggested

    # 5. Export the comparison.
    target = page.export_xlsx(tmp_path / "comparison.xlsx")
    assert target is not None
    ws = load_workbook(target)["Comparison"]
    assert [c.value for c in ws[1]][1:] == [f.quote.label for f in page.figures]

    # Screenshot of the view with three quotes, best values highlighted and the chart.
    main_window.resize(1440, 900)
    qtbot.wait(200)
    path = artifacts_dir / "quotes_page.png"
    assert main_window.grab().save(str(path))

    # 6. Use this quote: Albion becomes the project's on-prem option (saved to a file here).
    page.select_quote(page.figures[albion].quote.id)
    saved = tmp_path / "project.json"
    updated = page.use_selected_quote(save_to=saved)
    assert updated is not None
    owned = [o for o in updated.options if isinstance(o, OnPremOption)]
    assert len(owned) == 1 and owned[0].vendor == "Albion Compute Ltd"
    # 411,250 GBP × 1.30 = 534,625 USD + the network allowance 0.125 × 533,000 = 66,625 USD
    assert owned[0].capex == pytest.approx(601_250.0) and owned[0].network_fraction == 0.125
    assert owned[0].maintenance_rate_annual == pytest.approx(0.1)  # no support quoted: all 3 years
    assert json.loads(saved.read_text())["options"][2]["vendor"] == "Albion Compute Ltd"

    # 7. Manual entry, then an edit of the hand-entered quote.
    editor = page.open_editor(None)
    editor.vendor_edit.setText("Hand Entered Ltd")
    editor.currency_edit.setText("usd")
    editor.add_line(None)
    editor.table.item(0, 1).setText("HGX H100 8-GPU server")
    editor.table.item(0, 3).setText("1")
    editor.table.item(0, 4).setText("250,000")
    editor.table.cellWidget(0, 0).setCurrentIndex(0)  # GPU server
    editor._accept()
    _wait(qtbot, page, 4)
    manual = page.figures[3].quote
    assert (manual.vendor, manual.currency, manual.lines[0].unit_price) == (
        "Hand Entered Ltd",
        "USD",
        250_000.0,
    )
    editor = page.open_editor(manual)
    editor.table.item(0, 3).setText("two")
    editor._accept()
    assert "not a number: 'two'" in editor.message.text() and editor.isVisible()
    editor.table.item(0, 3).setText("2")
    editor._accept()
    qtbot.waitUntil(lambda: page.is_ready() and page.figures[3].quote.lines[0].quantity == 2, timeout=20_000)
    assert page.figures[3].total == pytest.approx(500_000.0)
    quotes = page.stored_quotes()  # what the proposal analyses: the same quotes, in the view's order
    assert [q.label for q in quotes][2] == "Albion Compute Ltd #3"
    assert [q.id for q in quotes] == [f.quote.id for f in page.figures]

    # 8. A malformed file: every problem listed, nothing imported.
    page.import_file(
        ImportRequest(
            DATA / "malformed_rows.csv",
            "Bad vendor",
            load_mapping_file(DATA / "albion_mapping.json").__class__(
                columns={
                    "description": "Description",
                    "quantity": "Quantity",
                    "unit_price": "Unit price",
                    "kind": "Kind",
                }
            ),
            None,
            None,
            None,
        )
    )
    qtbot.waitUntil(lambda: page.errors_dialog is not None and page.is_ready(), timeout=20_000)
    assert page.errors_dialog.table.rowCount() == 6
    page.errors_dialog.close()
    page.reload()
    _wait(qtbot, page, 4)


def test_use_this_quote_edits_the_project_open_in_the_projects_view(
    quotes_page: Any, qtbot: Any, main_window: Any
) -> None:
    from ui.pages.quotes import ImportRequest

    page = quotes_page
    projects = main_window.pages["Projects"]
    projects.document.load(json.loads((DATA / "project_h100.json").read_text()))
    page.import_file(
        ImportRequest(
            DATA / "albion_gbp.csv",
            "Albion Compute Ltd",
            load_mapping_file(DATA / "albion_mapping.json"),
            dt.date(2026, 11, 2),
            None,
            None,
        )
    )
    _wait(qtbot, page, 1)
    # The same file again is refused whole; with "Replace if already imported" it replaces the stored quote.
    request = ImportRequest(
        DATA / "albion_gbp.csv",
        "Albion Compute Ltd",
        load_mapping_file(DATA / "albion_mapping.json"),
        dt.date(2026, 11, 2),
        None,
        None,
    )
    first_id = page.figures[0].quote.id
    page.import_file(request)
    qtbot.waitUntil(lambda: page.errors_dialog is not None and page.is_ready(), timeout=20_000)
    assert f"already imported as quote {first_id}" in page.errors_dialog.table.item(0, 2).text()
    page.errors_dialog.close()
    page.import_file(dataclasses.replace(request, replace=True))
    qtbot.waitUntil(lambda: page.is_ready() and "replaced quote" in page.status.text(), timeout=20_000)
    assert [f.quote.id for f in page.figures] == [first_id]
    main_window.show_page("Projects")
    main_window.show_page("Quotes")  # showing the view picks up the open project
    qtbot.waitUntil(lambda: page.is_ready() and len(page.chart.references) == 2, timeout=20_000)
    assert "H100 fine-tuning cluster" in page.project_label.text()
    page.select_quote(page.figures[0].quote.id)
    assert page.use_selected_quote() is not None
    owned = [o for o in projects.document.data["options"] if o["kind"] == "onprem"]
    assert len(owned) == 1 and owned[0]["vendor"] == "Albion Compute Ltd"
    assert owned[0]["server_price"] * owned[0]["servers"] + owned[0]["other_capex"] == pytest.approx(
        534_625.0
    )
    assert owned[0]["network_fraction"] == 0.125  # networking not itemised: the allowance goes along
    main_window.undo_stack.undo()  # one undoable edit of the project
    owned = [o for o in projects.document.data["options"] if o["kind"] == "onprem"]
    assert owned[0]["name"] == "Own H100 cluster"
