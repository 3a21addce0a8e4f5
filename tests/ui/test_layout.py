"""Issue 20's layout, theme, chart-label and error-logging items, driven on the real window at a 1366×768
laptop screen and a 1920×1080 one (screenshots in tests/artifacts/layout_*.png)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QRect, QRectF, QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from db.session import dispose_engines
from planner.project import ProjectError
from tests.ui.projects_helpers import projects_page, settle
from ui.charts.base import spread
from ui.workers import ComputeLane, log_failure

QUOTES = Path(__file__).resolve().parents[1] / "data" / "quotes"
SCREENS = {"1366x768": QRect(0, 0, 1366, 768), "1920x1080": QRect(0, 0, 1920, 1080)}
SMALLEST = (1280, 720)  # the smallest window the layout is made for (issue 20)

pytestmark = pytest.mark.gui


def _import_quotes(window: Any, qtbot: Any) -> Any:
    from ui.pages.quotes import ImportRequest

    page = window.pages["Quotes"]
    window.show_page("Quotes")
    qtbot.waitUntil(page.is_ready, timeout=20_000)
    for name, vendor in (
        ("northwind_usd.csv", "Northwind Systems"),
        ("supermicro_reseller_de.csv", "Systemhaus Elbtal GmbH"),
        ("flag_gpus_usd.csv", "Cheap Clusters"),  # a long reconciliation sentence in the status line
    ):
        page.import_file(ImportRequest(QUOTES / name, vendor, None, None, None, None))
        qtbot.waitUntil(page.is_ready, timeout=20_000)
    assert len(page.figures) == 3
    return page


@pytest.mark.parametrize("screen", list(SCREENS))
def test_window_fits_its_screen_and_nothing_forces_it_wider(
    screen: str, pinned_today: object, main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    available = SCREENS[screen]
    main_window.fit_to_screen(available)
    geometry = main_window.geometry()
    assert available.contains(geometry)
    # 90% of the screen each way (1229×691 on the laptop), capped at 1600×1000 on a large screen.
    expected = {"1366x768": (1229, 691), "1920x1080": (1600, 972)}[screen]
    assert (geometry.width(), geometry.height()) == expected
    page = _import_quotes(main_window, qtbot)
    assert "GPU count does not reconcile" in page.status.text()
    for name in main_window.pages:  # no view, after a quote with a long message, needs more than 1280 px
        main_window.show_page(name)
        qtbot.wait(20)
        hint = main_window.minimumSizeHint()
        assert hint.width() <= SMALLEST[0] and hint.height() <= SMALLEST[1], (name, hint)
    main_window.show_page("Quotes")
    main_window.resize(*SMALLEST)  # and it does shrink back to the smallest size
    qtbot.waitUntil(lambda: main_window.width() == SMALLEST[0], timeout=2000)
    main_window.resize(available.size())
    qtbot.wait(150)
    assert main_window.grab().save(str(artifacts_dir / f"layout_quotes_{screen}.png"))
    projects = projects_page(main_window, qtbot)
    projects.open_sample("fraud_detection_hybrid")
    settle(projects, qtbot)
    qtbot.wait(150)
    assert main_window.grab().save(str(artifacts_dir / f"layout_projects_{screen}.png"))
    qtbot.waitUntil(page.is_ready, timeout=20_000)
    dispose_engines()


def test_saved_geometry_from_a_larger_screen_is_fitted_again(main_window: Any) -> None:
    main_window.setGeometry(QRect(100, 100, 1800, 1000))  # as saved on a 1920×1080 monitor
    QSettings().setValue("main_window/geometry", main_window.saveGeometry())
    main_window._restore_geometry()  # reopened on the test's 1366×768 screen
    assert main_window.available_geometry().contains(main_window.frameGeometry())


def test_splitters_keep_their_sizes(main_window: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel, QSplitter

    from ui.layout import remember_splitter

    page = main_window.pages["Quotes"]
    main_window.show_page("Quotes")
    split = page.findChild(QSplitter, "quotes_splitter")
    assert split is not None
    split.moveSplitter(200, 1)  # the user drags the handle: the sizes are saved
    assert QSettings().value("quotes/splitter") == split.saveState()

    def fresh() -> QSplitter:
        splitter = QSplitter()
        qtbot.addWidget(splitter)
        splitter.addWidget(QLabel("a"))
        splitter.addWidget(QLabel("b"))
        splitter.resize(600, 100)
        splitter.show()
        return splitter

    first = fresh()
    remember_splitter(first, "test/splitter")
    first.moveSplitter(150, 1)
    moved = first.sizes()
    second = fresh()  # the next start
    remember_splitter(second, "test/splitter")
    assert second.sizes() == moved
    qtbot.waitUntil(page.is_ready, timeout=20_000)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_dark_and_light_themes_colour_the_whole_window(
    screen: str, main_window: Any, qtbot: Any, artifacts_dir: Path
) -> None:
    page = projects_page(main_window, qtbot)
    page.open_sample("fraud_detection_hybrid")
    settle(page, qtbot)
    main_window.fit_to_screen(SCREENS[screen])
    main_window.theme_actions["dark"].trigger()  # View ▸ Theme ▸ Dark
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window_colour = app.palette().color(QPalette.ColorRole.Window)
    text_colour = app.palette().color(QPalette.ColorRole.WindowText)
    assert window_colour.lightness() < 60 and text_colour.lightness() > 200
    qtbot.wait(50)  # the palette change reaches the widgets through the event loop
    field = page.project_form.binder.field("pue").widget
    assert field.palette().color(QPalette.ColorRole.Base).lightness() < 60  # the form fields too
    assert all(c.palette_.name == "dark" for c in page.results.charts)
    assert QSettings().value("view/theme") == "dark"
    qtbot.wait(150)
    assert main_window.grab().save(str(artifacts_dir / f"layout_dark_{screen}.png"))
    main_window.theme_actions["light"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert page.results.cumulative.plot.backgroundBrush().color().name() == "#ffffff"
    main_window.theme_actions["system"].trigger()  # offscreen says nothing about the desktop: light
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200


def test_spread_moves_labels_apart_as_little_as_needed() -> None:
    # Hand computation: three 10-px labels wanting 10, 12, 14 px, 2 px apart: 10, 22, 34.
    assert spread([10, 12, 14], [10, 10, 10]) == [10, 22, 34]
    # In a 0..30 room they are pushed back from the end: 34 → 25, 22 → 13, 10 → 1 → at least lo + 5.
    assert spread([10, 12, 14], [10, 10, 10], lo=0, hi=30) == [5, 13, 25]
    assert spread([0, 50, 100], [10, 10, 10]) == [0, 50, 100]  # apart already: unmoved
    assert spread([14, 10], [10, 10]) == [22, 10]  # the order of the centres is kept, not of the list


def _scene_rects(labels: list[Any]) -> list[QRectF]:
    return [label.mapRectToScene(label.boundingRect()) for label in labels]


def _overlap(rects: list[QRectF]) -> bool:
    return any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_chart_labels_never_overlap(qtbot: Any, artifacts_dir: Path) -> None:
    from ui.charts.quotes_chart import QuoteBar, QuotesChart, ReferenceLine
    from ui.charts.risk import MonteCarloChart

    mc = MonteCarloChart()
    qtbot.addWidget(mc)
    mc.resize(460, 270)
    mc.show()
    rng = np.random.default_rng(7)
    samples = {"Cloud": rng.normal(3.0e6, 0.05e6, 2000)}
    mc.set_data(samples, "Cloud", (2.98e6, 3.0e6, 3.02e6), {"Cloud": 1.0}, "USD")  # close percentiles
    qtbot.wait(100)
    mc._place_line_labels()
    rects = _scene_rects(mc.line_labels)
    assert not _overlap(rects)
    assert [r.center().x() for r in rects] == sorted(r.center().x() for r in rects)  # P10, P50, P90
    assert mc.grab().save(str(artifacts_dir / "layout_monte_carlo_labels.png"))

    chart = QuotesChart()
    qtbot.addWidget(chart)
    chart.resize(460, 300)
    chart.show()
    refs = [ReferenceLine(f"Cloud option {i}", 4.00 + 0.02 * i) for i in range(4)]  # four lines 0.02 apart
    chart.set_data([QuoteBar("Northwind", 2.5), QuoteBar("Elbtal", 3.1)], refs)
    qtbot.wait(100)
    chart._place_line_labels()
    rects = _scene_rects(chart._line_labels[: len(refs)])
    assert not _overlap(rects)
    plot = chart.plot_item.vb.sceneBoundingRect()
    assert all(plot.top() - 1 <= r.top() and r.bottom() <= plot.bottom() + 1 for r in rects)
    assert chart.grab().save(str(artifacts_dir / "layout_quotes_chart_labels.png"))


def test_monthly_bars_fill_whole_month_slots(qtbot: Any) -> None:
    from ui.charts.cost import BreakdownChart

    chart = BreakdownChart()
    qtbot.addWidget(chart)
    months = np.arange(1, 37, dtype=float)
    chart.set_data(months, {"Owned": {"power": np.full(36, 10.0), "staff": np.full(36, 5.0)}}, "USD")
    for bar in chart._bars[:2]:
        assert bar.opts["width"] == 1.0  # slot i spans [i - 0.5, i + 0.5]: every gap is the same separator
        assert list(bar.opts["x"]) == list(months)


def test_user_errors_are_logged_as_a_sentence_without_traceback(
    qtbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("tests.layout")
    caplog.set_level(logging.INFO)
    log_failure(log, "opening the project", ProjectError("must be at least 1", key="horizon_months"))
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as exc:
        log_failure(log, "computing", exc)
    user, unexpected = caplog.records[-2:]
    assert (user.levelno, user.exc_info) == (logging.INFO, None)
    assert user.getMessage().startswith("opening the project: ") and "must be at least 1" in user.getMessage()
    assert unexpected.levelno == logging.ERROR and unexpected.exc_info is not None

    def fails(snapshot: Any, token: Any, progress: Any) -> Any:
        raise ProjectError("the project needs at least one option", key="options")

    lane = ComputeLane(fails, debounce_ms=0)
    caplog.clear()
    with qtbot.waitSignal(lane.failed, timeout=5000) as blocker:
        lane.request({})
        lane.flush()
    assert "at least one option" in blocker.args[0].message
    assert [(r.levelno, r.exc_info) for r in caplog.records] == [(logging.INFO, None)]
    assert lane.shutdown(5000)
