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
