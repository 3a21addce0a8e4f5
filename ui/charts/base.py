"""The chart base: a pyqtgraph plot with a hover read-out line, a light/dark palette and item pools.

pyqtgraph stays inside ui/charts/. Plot items are created once (pools grow, never shrink) and then only
``setData``/``setOpts`` is called; unused items are emptied and hidden.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.theme import theme_manager

pg.setConfigOptions(antialias=False)
READOUT_HINT = "Point at the chart to read its values (with units) here."


@dataclass(frozen=True)
class Palette:
    """Colours of one chart theme: background, text, grid and the series cycle."""

    name: str
    background: str
    foreground: str
    grid_alpha: float
    series: tuple[str, ...]
    marker: str
    good: str
    bad: str


LIGHT = Palette(
    "light",
    "#ffffff",
    "#202124",
    0.25,
    (
        "#1f77b4",
        "#d62728",
        "#2ca02c",
        "#ff7f0e",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#17becf",
        "#7f7f7f",
        "#bcbd22",
    ),
    "#000000",
    "#2ca02c",
    "#d62728",
)
DARK = Palette(
    "dark",
    "#1e1f22",
    "#e8eaed",
    0.3,
    (
        "#64b5f6",
        "#ef5350",
        "#81c784",
        "#ffb74d",
        "#ba68c8",
        "#a1887f",
        "#f48fb1",
        "#4dd0e1",
        "#bdbdbd",
        "#dce775",
    ),
    "#ffffff",
    "#81c784",
    "#ef5350",
)
PALETTES = {"light": LIGHT, "dark": DARK}


def spread(
    centres: Sequence[float],
    sizes: Sequence[float],
    *,
    gap: float = 2.0,
    lo: float = -math.inf,
    hi: float = math.inf,
) -> list[float]:
    """Label centres along one axis, moved as little as a greedy pass allows so that no two labels overlap.

    ``centres`` are where each label wants to be, ``sizes`` its extent on that axis (same units, e.g. pixels),
    ``gap`` the space kept between neighbours, ``lo``/``hi`` the room available. Labels keep their order;
    a run that would leave the room at ``hi`` is pushed back towards ``lo``. Space too small for all:
    the labels are packed from ``lo`` (overlap is then the only choice left).
    """
    n = len(centres)
    order = sorted(range(n), key=lambda i: centres[i])
    out = [0.0] * n
    end = lo - gap
    for i in order:  # forward: each label right of (or below) the one before
        c = float(max(centres[i], end + gap + sizes[i] / 2, lo + sizes[i] / 2))
        out[i] = c
        end = c + sizes[i] / 2
    start = hi + gap
    for i in reversed(order):  # backward: nothing past hi
        c = min(out[i], start - gap - sizes[i] / 2)
        out[i] = max(c, lo + sizes[i] / 2)
        start = out[i] - sizes[i] / 2
    return out


def compact_money(value: float, currency: str) -> str:
    """1234567 -> '1.23 M USD'; readable at a glance, exact enough to read a chart."""
    if value is None or not math.isfinite(value):
        return "—"
    a = abs(value)
    for div, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= div:
            return f"{value / div:,.2f}{suffix} {currency}"
    return f"{value:,.2f} {currency}"


def money_axis_ticks(currency: str) -> Any:
    """An axis whose tick strings are compact money values."""

    class MoneyAxis(pg.AxisItem):  # type: ignore[misc]
        def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
            return [compact_money(v * scale, "").strip() for v in values]

    return MoneyAxis(orientation="left")


class ChartWidget(QWidget):
    """A titled plot and a read-out line below it that follows the mouse (values with units)."""

    def __init__(self, title: str, *, x_label: str, y_label: str, money_y: bool = False) -> None:
        super().__init__()
        self.currency = "USD"
        self.palette_ = LIGHT
        self.name_colors: dict[str, int] = {}
        axis_items = {"left": money_axis_ticks(self.currency)} if money_y else None
        self.plot = pg.PlotWidget(axisItems=axis_items)
        self.plot.setMinimumHeight(120)
        self.plot_item: Any = self.plot.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self._title = title
        # The title is a Qt label (elided by the layout), not a pyqtgraph one: a long title would set a
        # minimum width on the plot and clip it in a narrow window.
        self.title_label = QLabel(title)
        self.title_label.setObjectName("chart_title")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._x_label = x_label
        self._y_label = y_label
        self.readout = QLabel(READOUT_HINT)
        self.readout.setObjectName("readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Charts share the width they are given (never push the layout wider than the window).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(220)
        self.plot.setMinimumWidth(200)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(1)
        self.legend = QLabel(" ")
        self.legend.setObjectName("legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setStyleSheet("font-size: 10px;")
        self.readout.setStyleSheet("font-size: 10px;")
        self.readout.setWordWrap(True)
        # Fixed heights: new text never re-lays out (and repaints) the plot.
        line = self.legend.fontMetrics().lineSpacing()
        self._legend_min_height = 2 * line + 2
        self.legend.setFixedHeight(self._legend_min_height)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.readout.setFixedHeight(2 * line + 2)
        for label in (self.legend, self.readout):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.title_label)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.readout)
        self.legend_entries: list[tuple[str, str]] = []
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        themes = theme_manager()  # the window's light/dark theme (View menu); bound method: safe on delete
        themes.changed.connect(self._follow_theme)
        self.apply_palette(PALETTES.get(themes.scheme, LIGHT))

    # ---- palette -------------------------------------------------------------------------------
    def apply_palette(self, palette: Palette) -> None:
        self.palette_ = palette
        self.plot.setBackground(palette.background)
        fg = palette.foreground
        for name in ("left", "bottom"):
            axis = self.plot_item.getAxis(name)
            axis.setPen(pg.mkPen(fg))
            axis.setTextPen(pg.mkPen(fg))
            axis.enableAutoSIPrefix(False)
        self.plot_item.showGrid(x=True, y=True, alpha=palette.grid_alpha)
        self.title_label.setStyleSheet(f"font-weight: bold; color: {fg}; background: {palette.background};")
        if self._x_label:
            self.plot_item.setLabel("bottom", self._x_label, color=fg)
        self.plot_item.setLabel("left", self._y_label, color=fg)
        self.redraw()

    def _follow_theme(self, scheme: str) -> None:
        self.apply_palette(PALETTES.get(scheme, LIGHT))

    def color(self, index: int) -> str:
        return self.palette_.series[index % len(self.palette_.series)]

    def color_of(self, name: str, fallback: int) -> str:
        """The colour of a named series: the same option keeps its colour in every chart."""
        return self.color(self.name_colors.get(name, fallback))

    def set_title(self, title: str) -> None:
        self._title = title
        self.title_label.setText(title)

    def set_currency(self, currency: str) -> None:
        self.currency = currency

    def set_axis_label(self, y_label: str) -> None:
        self._y_label = y_label
        self.plot_item.setLabel("left", y_label, color=self.palette_.foreground)

    # ---- hover ---------------------------------------------------------------------------------
    def _mouse_moved(self, pos: QPointF) -> None:
        vb = self.plot_item.vb
        if not vb.sceneBoundingRect().contains(pos):
            return
        point = vb.mapSceneToView(pos)
        text = self.readout_at(point.x(), point.y())
        self.readout.setText(text or READOUT_HINT)

    def readout_at(self, x: float, y: float) -> str:
        """The read-out for data coordinates (x, y): values with units; '' if nothing is near."""
        return ""

    def redraw(self) -> None:
        """Re-apply the last data (after a palette change)."""

    # ---- pools ---------------------------------------------------------------------------------
    def _pool(self, pool: list[Any], n: int, make: Any, *, ignore_bounds: bool = False) -> list[Any]:
        """The first ``n`` items of ``pool`` (made as needed), shown; the rest emptied and hidden.
        ``ignore_bounds``: the items never widen the auto-range (labels placed inside it)."""
        while len(pool) < n:
            item = make()
            self.plot_item.addItem(item, ignoreBounds=ignore_bounds)
            pool.append(item)
        for item in pool[n:]:
            _empty(item)
            item.hide()
        for item in pool[:n]:
            item.show()
        return pool[:n]

    def _set_legend(self, entries: list[tuple[str, str]], note: str = "") -> None:
        """Legend under the plot (never over the data): (colour, label) pairs and an optional note."""
        self.legend_entries = list(entries)
        parts = [
            f"<span style='color:{color}'>■</span>&nbsp;{html.escape(label)}" for color, label in entries
        ]
        if note:
            parts.append(f"<i>{html.escape(note)}</i>")
        self.legend.setText("&nbsp;&nbsp; ".join(parts) or " ")
        self.fit_legend()

    def fit_legend(self) -> None:
        """Give the legend the lines its text needs at the current width (the plot gives way, the chart's
        height stays): a legend is never cut off at the bottom. Unchanged text and width cost nothing."""
        width = self.legend.width()
        if width <= 1:
            return
        need = max(self._legend_min_height, self.legend.heightForWidth(width))
        if need != self.legend.height():
            self.legend.setFixedHeight(need)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_legend()

    # ---- direct labels -------------------------------------------------------------------------
    def place_labels(
        self, labels: Sequence[Any], anchors: Sequence[tuple[float, float]], *, axis: str
    ) -> None:
        """Put pg.TextItems at data points ``anchors``, moved apart along ``axis`` ("x" or "y") in pixels so
        that none overlaps its neighbour (:func:`spread`) and none leaves the plot."""
        vb = self.plot_item.vb
        rect = vb.sceneBoundingRect()
        if not labels or rect.width() <= 1:
            return
        points = [vb.mapViewToScene(QPointF(x, y)) for x, y in anchors]
        sizes = [
            (lab.boundingRect().width() if axis == "x" else lab.boundingRect().height()) for lab in labels
        ]
        if axis == "x":
            xs = spread([p.x() for p in points], sizes, lo=rect.left() + 2, hi=rect.right() - 2)
            moved = [QPointF(x, p.y()) for x, p in zip(xs, points, strict=True)]
        else:
            ys = spread([p.y() for p in points], sizes, gap=1, lo=rect.top() + 1, hi=rect.bottom() - 1)
            moved = [QPointF(p.x(), y) for y, p in zip(ys, points, strict=True)]
        for label, point in zip(labels, moved, strict=True):
            label.setPos(vb.mapSceneToView(point))


def _empty(item: Any) -> None:
    if isinstance(item, pg.BarGraphItem):
        item.setOpts(x0=[], x1=[], x=None, y=[], height=[], y0=None, y1=None, width=None)
    elif hasattr(item, "setData"):
        item.setData([], [])
