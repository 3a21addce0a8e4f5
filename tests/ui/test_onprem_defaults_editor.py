"""Through the real editor at 1366×768: an on-prem option whose power and maintenance are left empty shows
the default each gets (placeholder and tooltip), is costed on them, and a 0 typed stays 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QScrollArea

from tests.ui.projects_helpers import projects_page, settle, totals

pytestmark = pytest.mark.gui


def test_empty_onprem_fields_show_and_use_their_defaults(
    main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    main_window.resize(1366, 768)
    page = projects_page(main_window, qtbot)
    page.open_sample("research_spot")
    settle(page, qtbot)
    dgx = next(s for s in page.catalog["servers"] if s.model == "DGX H100")
    page.tabs.setCurrentWidget(page.options)
    page.options.add_server(dgx)
    name = page.document.data["options"][-1]["name"]
    binder = page.options.binder
    binder.field("power_kw_per_server").set_text("")
    binder.field("maintenance_rate_annual").set_text("")
    item = page.document.data["options"][-1]
    assert "power_kw_per_server" not in item and "maintenance_rate_annual" not in item  # unset, not 0
    settle(page, qtbot)
    maint = binder.field("maintenance_rate_annual").widget
    assert isinstance(maint, QLineEdit)
    assert maint.placeholderText() == "default 10%"
    hint = binder.field("maintenance_rate_annual").hint_label
    assert hint.isVisibleTo(main_window) and "Alpine" in hint.text()
    assert "alpineblockchain" in maint.toolTip()
    power_hint = binder.field("power_kw_per_server").hint_label
    assert power_hint.isVisibleTo(main_window) and "catalog server" in power_hint.text()
    shown = page.results.shown
    filled = {i.path: i.value for i in shown.inputs if i.source == "default"}
    assert filled[f"options.{name}.power_kw_per_server"] == dgx.max_power_kw
    assert filled[f"options.{name}.maintenance_rate_annual"] == 0.10
    with_default = totals(page)[name]

    scroll = maint.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    if scroll is not None:
        scroll.ensureWidgetVisible(maint)
    qtbot.wait(50)
    main_window.grab().save(str(artifacts_dir / "onprem_defaults_1366.png"))

    binder.field("maintenance_rate_annual").set_text("0")
    settle(page, qtbot)
    assert page.document.data["options"][-1]["maintenance_rate_annual"] == 0
    assert not binder.field("maintenance_rate_annual").hint_label.isVisibleTo(main_window)
    without = totals(page)[name]
    # maintenance at 10 % a year of the capital (server price × 1.125 network share) over the horizon
    capital = float(item["server_price"]) * 1.125
    months = int(page.document.data.get("horizon_months", 36))
    assert with_default - without == pytest.approx(capital * 0.10 / 12 * months, rel=1e-9)
