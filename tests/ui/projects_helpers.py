"""Helpers for driving the Projects page of the real main window."""

from __future__ import annotations

from typing import Any

TIMEOUT_MS = 60_000


def projects_page(window: Any, qtbot: Any) -> Any:
    window.show_page("Projects")
    page = window.pages["Projects"]
    qtbot.waitUntil(lambda: page._catalog_ready, timeout=TIMEOUT_MS)
    return page


def settle(page: Any, qtbot: Any) -> None:
    """Compute now (skip the debounce) and wait until the newest result is drawn and nothing runs."""
    generation = page.lane.generation
    page.compute_now()
    qtbot.waitUntil(lambda: page._shown_generation >= generation and page.is_ready(), timeout=TIMEOUT_MS)


def wait_io(page: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: not page.io.busy(), timeout=TIMEOUT_MS)


def totals(page: Any) -> dict[str, float]:
    shown = page.results.shown
    assert shown is not None
    return {o.name: o.total for o in shown.tco.options}
