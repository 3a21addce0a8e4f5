"""OEM layouts through the Quotes view: the import dialog finds the layout (columns highlighted on the real
rows), the quote comes in with the hand figures of tests/data/quotes/README.md, and a quote whose GPUs do
not reconcile is flagged and never best."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from db.session import dispose_engines
from planner.quotes import included_support_years
from tests.quotes.files import DATA

pytestmark = pytest.mark.gui


@pytest.fixture
def quotes_page(pinned_today: object, main_window: Any, qtbot: Any) -> Any:
    page = main_window.pages["Quotes"]
    main_window.show_page("Quotes")
    qtbot.waitUntil(page.is_ready, timeout=20_000)
    yield page
    qtbot.waitUntil(page.is_ready, timeout=20_000)
    dispose_engines()


def test_reseller_quote_through_the_dialog_and_a_flagged_quote_never_best(
    quotes_page: Any, qtbot: Any, main_window: Any, artifacts_dir: Path
) -> None:
    from ui.pages.quotes import BEST_BACKGROUND, DETECTED_BACKGROUND, ROWS, ImportRequest

    page = quotes_page
    dialog = page.open_import_dialog(DATA / "supermicro_reseller_de.csv")
    assert dialog is not None and dialog.detected_check.isChecked()
    assert dialog.header_spin.value() == 9  # under the title block
    chosen = {f: c.currentData() for f, c in dialog.combos.items() if c.currentData()}
    assert chosen == {
        "position": "Pos.",
        "part_number": "Artikelnr.",
        "description": "Bezeichnung",
        "quantity": "Menge",
        "unit_price": "Einzelpreis",
        "extended": "Gesamtpreis",
    }
    # The columns read are highlighted on the real rows, from the header down, and named in the header.
    assert dialog.preview.item(9, 2).text().startswith("Supermicro SuperServer SYS-821GE-TNHR")
    assert dialog.preview.item(9, 2).background().color() == DETECTED_BACKGROUND
    assert dialog.preview.item(2, 1).background().color() != DETECTED_BACKGROUND  # title block
    assert dialog.preview.horizontalHeaderItem(2).text() == "Description"
    assert dialog.preview.item(8, 4).font().bold()  # the header cell "Einzelpreis"
    dialog.resize(1300, 640)
    qtbot.wait(100)
    assert dialog.grab().save(str(artifacts_dir / "quotes_import_dialog.png"))
    dialog.set_vendor("Systemhaus Elbtal GmbH")
    dialog._accept()
    qtbot.waitUntil(lambda: page.is_ready() and len(page.figures) == 1, timeout=20_000)

    figures = page.figures[0]
    quote = figures.quote
    assert (quote.quote_number, quote.quote_date.isoformat(), quote.valid_until.isoformat()) == (
        "AN-2026-11873",
        "2026-11-19",
        "2026-12-18",
    )
    assert (quote.currency, figures.hardware.gpus) == ("EUR", 16)
    assert figures.total == pytest.approx(669_770.00)
    assert quote.tax_total == pytest.approx(127_256.30)
    assert included_support_years(quote) == 3 and quote.lead_time_weeks == 8
    assert "kept out of capex" in page.status.text()

    page.import_file(ImportRequest(DATA / "flag_gpus_usd.csv", "Cheap Clusters", None, None, None, None))
    qtbot.waitUntil(lambda: page.is_ready() and len(page.figures) == 2, timeout=20_000)
    vendors = [f.quote.vendor for f in page.figures]
    flagged = vendors.index("Cheap Clusters")
    reseller = vendors.index("Systemhaus Elbtal GmbH")
    assert page.figures[flagged].quote.flags
    best = page.best_columns()
    assert best and set(best.values()) == {reseller}
    keys = [k for k, _ in ROWS]
    item = page.table.item(keys.index("per_gpu_usd"), flagged)
    assert item.background().color() != BEST_BACKGROUND
    assert "GPU count does not reconcile on line 1" in item.toolTip()
    assert page.chart.best_index == reseller and page.chart.bars[flagged].incomplete

    main_window.resize(1440, 900)
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts_dir / "quotes_page_flagged.png"))


def test_an_ambiguous_date_is_asked_and_the_answer_imports(
    quotes_page: Any, qtbot: Any, tmp_path: Path
) -> None:
    from ui.pages.quotes import ImportRequest

    page = quotes_page
    path = tmp_path / "us_or_uk.csv"
    path.write_text(
        "Quote Number,AMB-2\nQuote Date,12/03/2026\nValid Until,2026-12-31\n\nDescription,Qty,Unit Price\n"
        "PowerEdge XE9680 8x H100 SXM5,1,290000.00\nConnectX-7 NDR adapter,8,1850.00\n",
        encoding="utf-8",
    )
    page.import_file(ImportRequest(path, "Somebody", None, None, None, None))
    qtbot.waitUntil(lambda: getattr(page, "date_question", None) is not None, timeout=20_000)
    box = page.date_question
    assert "'12/03/2026', which reads two ways" in box.text()
    assert page.date_question_buttons["dmy"].text() == "12 March 2026 (day first)"
    assert page.date_question_buttons["mdy"].text() == "3 December 2026 (month first)"
    assert len(page.figures) == 0  # nothing imported yet
    page.date_question_buttons["mdy"].click()
    qtbot.waitUntil(lambda: page.is_ready() and len(page.figures) == 1, timeout=20_000)
    assert page.figures[0].quote.quote_date.isoformat() == "2026-12-03"


def test_every_oem_layout_through_the_view_gives_the_hand_figures(
    quotes_page: Any, qtbot: Any, main_window: Any, artifacts_dir: Path
) -> None:
    from tests.quotes.test_layouts import LAYOUTS
    from ui.pages.quotes import ImportRequest

    page = quotes_page
    for n, layout in enumerate(LAYOUTS, start=1):
        page.import_file(ImportRequest(DATA / layout[0], layout[1], None, None, None, None))
        qtbot.waitUntil(lambda n=n: page.is_ready() and len(page.figures) == n, timeout=30_000)
    by_vendor = {f.quote.vendor: f for f in page.figures}
    for (
        name,
        vendor,
        number,
        date,
        valid,
        currency,
        gpus,
        net,
        tax,
        support,
        lead,
        customer,
        platform,
    ) in LAYOUTS:
        f = by_vendor[vendor]
        q = f.quote
        assert (q.quote_number, q.quote_date.isoformat(), q.valid_until.isoformat()) == (
            number,
            date,
            valid,
        ), name
        assert (q.currency, f.hardware.gpus, q.customer) == (currency, gpus, customer), name
        assert f.total == pytest.approx(net, abs=0.005) and q.tax_total == pytest.approx(tax, abs=0.005), name
        assert (included_support_years(q), q.lead_time_weeks) == (support, lead), name
        assert [x.server_model for x in q.lines if x.kind == "gpu_server"] == [platform], name
        assert not f.best_excluded_because, name
    main_window.resize(1600, 900)
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts_dir / "quotes_page_oem_layouts.png"))


def test_choosing_a_column_by_hand_uses_and_remembers_a_mapping(
    quotes_page: Any, qtbot: Any, main_window: Any
) -> None:
    from db.quotes import vendor_mapping
    from db.session import get_engine

    page = quotes_page
    dialog = page.open_import_dialog(DATA / "integrateur_fr.csv")
    assert dialog is not None and dialog.detected_check.isChecked()
    combo = dialog.combos["part_number"]
    combo.setCurrentIndex(combo.findData(""))  # the user says: no part-number column
    combo.activated.emit(combo.currentIndex())
    assert not dialog.detected_check.isChecked()
    assert 0 not in dialog.read_columns()  # "Réf." is no longer highlighted
    dialog.set_vendor("Calculs Atlantique")
    dialog._accept()
    assert dialog.request is not None and dialog.request.mapping is not None
    qtbot.waitUntil(lambda: page.is_ready() and len(page.figures) == 1, timeout=20_000)
    quote = page.figures[0].quote
    assert all(x.part_number == "" for x in quote.lines)
    assert quote.tax_total == pytest.approx(140_986.00)  # the title block and conventions still read
    remembered = vendor_mapping(get_engine(main_window.db_url), "calculs atlantique")
    assert remembered is not None and "part_number" not in remembered.columns
    assert remembered.columns["description"] == "Désignation" and remembered.header_row == 8
