"""Catalog view: the selected row's price history (sparkline + summary) in the details pane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def shipped_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite catalog seeded with the real shipped catalog; the window finds it through PLANNER_DB."""
    from db.session import dispose_engines, get_engine

    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    get_engine(url)
    monkeypatch.setenv("PLANNER_DB", url)
    yield url
    dispose_engines()


@pytest.fixture
def page(pinned_today: object, shipped_db: str, main_window: Any, qtbot: Any) -> Any:
    catalog = main_window.pages["Catalog"]
    qtbot.waitUntil(catalog.is_ready, timeout=30_000)
    assert catalog.last_error() is None
    return catalog


def _select_cloud(page: Any, qtbot: Any, provider: str, instance: str, region: str) -> Any:
    page.show_table("cloud")
    model = page.models["cloud"]
    value = next(
        v for v in model.values() if (v.provider, v.instance, v.region) == (provider, instance, region)
    )
    with qtbot.waitSignal(page.history_shown, timeout=30_000):
        assert page.select_value(value, "cloud")
    return value


def test_details_show_the_price_history_of_the_selected_row(page: Any, qtbot: Any) -> None:
    _select_cloud(page, qtbot, "AWS", "p5.48xlarge", "us-east-1")
    text = page.details.toPlainText()
    assert "Price history" in text
    # shipped history: the July-2023 list price, then 98.32 x (1 - 44 %) = 55.0592 from 2025-06-01
    assert "$98.32 (2023-07-27) → $55.06 (2025-06-01), -44.0 % over 2 prices" in text
    assert "26.9 % a year down" in text  # 0.56 ** (365.25 / 675) - 1 = -0.269
    assert "data:image/png;base64," in page.details.toHtml()  # the sparkline


def test_a_row_with_one_price_says_so_and_moving_on_drops_the_old_read(page: Any, qtbot: Any) -> None:
    _select_cloud(page, qtbot, "Nebius", "gpu-b300-sxm_8gpu-192vcpu-2768gb", "uk-south1")
    text = page.details.toPlainText()
    assert "$62.8 since 2026-08-28 (no earlier price kept)" in text  # on-demand, skypilot PR #9829
    assert "$34.4 since 2026-08-28" in text  # spot
    assert "data:image/png" not in page.details.toHtml()
    _select_cloud(page, qtbot, "AWS", "p6-b300.48xlarge", "us-west-2")  # first seen 2026-06-13
    assert "$142.42 (2026-06-13) → $142.42 (2026-08-22), +0.0 % over 2 prices" in page.details.toPlainText()
    page.show_table("models")  # no prices there: no history block
    assert "Price history" not in page.details_html(page.selected_value())
