"""Cost charts: cumulative cost per option with break-even marks, stacked monthly breakdown, cost per
used GPU-hour against utilisation with the break-even utilisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QSizePolicy

from ui.charts.base import ChartWidget, compact_money

Array = npt.NDArray[np.float64]
LEGEND_MAX = 8


@dataclass(frozen=True)
class Crossing:
    """Where option ``a`` becomes no dearer than ``b``: month and the cumulative value there."""

    a: str
    b: str
    month: float
    value: float


class CumulativeCostChart(ChartWidget):
    """Cumulative cash cost per option over the months; break-even points marked."""

    def __init__(self) -> None:
        super().__init__("Cumulative cost by month", x_label="", y_label="cumulative", money_y=True)
        self._curves: list[pg.PlotDataItem] = []
        self.marks = pg.ScatterPlotItem(size=11, symbol="o")
        self.marks.setZValue(10)
        self.plot_item.addItem(self.marks)
        self.months: Array = np.zeros(0)
        self.series: list[tuple[str, Array]] = []
        self.crossings: list[Crossing] = []

    def set_data(
        self, months: Array, series: Sequence[tuple[str, Array]], crossings: Sequence[Crossing], currency: str
    ) -> None:
        self.months = np.asarray(months, dtype=float)
        self.series = [(n, np.asarray(y, dtype=float)) for n, y in series]
        self.crossings = list(crossings)
        self.currency = currency
        self.set_axis_label(f"cumulative ({currency})")
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "marks"):
            return
        curves = self._pool(self._curves, len(self.series), lambda: pg.PlotDataItem())
        for i, (curve, (_name, y)) in enumerate(zip(curves, self.series, strict=True)):
            curve.setPen(pg.mkPen(self.color_of(_name, i), width=2))
            curve.setData(self.months, y)
        ranked = sorted(
            range(len(self.series)),
            key=lambda i: float(self.series[i][1][-1]) if len(self.series[i][1]) else 0,
        )
        more = len(ranked) - LEGEND_MAX
        notes = [f"+{more} more (hover to read)"] if more > 0 else []
        if self.crossings:
            notes.append("● break-even")
        self._set_legend(
            [(self.color_of(self.series[i][0], i), self.series[i][0]) for i in ranked[:LEGEND_MAX]],
            "; ".join(notes),
        )
        self.marks.setData(
            [c.month for c in self.crossings],
            [c.value for c in self.crossings],
            brush=pg.mkBrush(self.palette_.marker),
            pen=pg.mkPen(self.palette_.background, width=1.5),
        )

    def readout_at(self, x: float, y: float) -> str:
        if not self.series or not len(self.months):
            return ""
        idx = int(np.clip(round(x) - self.months[0], 0, len(self.months) - 1))
        month = int(self.months[idx])
        near = [c for c in self.crossings if abs(c.month - month) < 0.5]
        name, values = min(self.series, key=lambda s: abs(float(s[1][idx]) - y))
        text = f"month {month}: {name} — {compact_money(float(values[idx]), self.currency)} cumulative"
        if near:
            c = near[0]
            text += f"   ◆ break-even: {c.a} becomes cheaper than {c.b} in month {int(c.month)}"
        return text


SEPARATED_MONTHS = 72


class BreakdownChart(ChartWidget):
    """Monthly cash cost of one option, stacked by term (compute, power, staff, ...)."""

    def __init__(self) -> None:
        super().__init__("Monthly cost breakdown", x_label="", y_label="a month", money_y=True)
        self.selector = QComboBox()
        self.selector.setObjectName("breakdown_option")
        self.selector.setToolTip("Option whose monthly costs are stacked")
        self.selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.selector.setMinimumContentsLength(12)
        self.selector.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.layout().insertWidget(0, self.selector)  # type: ignore[union-attr]
        self.selector.currentTextChanged.connect(self._select)
        self._bars: list[pg.BarGraphItem] = []
        self.months: Array = np.zeros(0)
        self.options: dict[str, dict[str, Array]] = {}
        self.selected = ""

    def set_data(
        self, months: Array, options: dict[str, dict[str, Array]], currency: str, selected: str | None = None
    ) -> None:
        self.months = np.asarray(months, dtype=float)
        self.options = {k: {t: np.asarray(v, dtype=float) for t, v in d.items()} for k, d in options.items()}
        self.currency = currency
        self.set_axis_label(f"{currency} a month")
        keep = self.selected if self.selected in self.options else (selected or next(iter(self.options), ""))
        self.selector.blockSignals(True)
        self.selector.clear()
        self.selector.addItems(list(self.options))
        self.selector.setCurrentText(keep)
        self.selector.blockSignals(False)
        self.selected = keep
        self.redraw()

    def _select(self, name: str) -> None:
        self.selected = name
        self.redraw()

    def terms(self) -> dict[str, Array]:
        """The stacked terms shown (zero terms left out)."""
        terms = self.options.get(self.selected, {})
        return {k: v for k, v in terms.items() if np.any(np.abs(v) > 1e-9)}

    def redraw(self) -> None:
        if not hasattr(self, "_bars"):
            return
        terms = self.terms()
        bars = self._pool(self._bars, len(terms), lambda: pg.BarGraphItem(x=[], height=[], width=0.8))
        base = np.zeros(len(self.months))
        # Each month fills its whole slot (width 1) and is parted from the next by a one-pixel line in the
        # background colour: a 0.8-wide bar with its own outline rounds to uneven gaps at a few pixels a
        # month. Past SEPARATED_MONTHS the slots are too thin for a separator: the bars touch.
        separator = (
            pg.mkPen(self.palette_.background, width=1) if len(self.months) <= SEPARATED_MONTHS else None
        )
        for i, (bar, (_term, values)) in enumerate(zip(bars, terms.items(), strict=True)):
            col = self.color(i)
            bar.setOpts(
                x=self.months,
                height=values,
                y0=base.copy(),
                width=1.0,
                brush=pg.mkBrush(col),
                pen=separator if separator is not None else pg.mkPen(None),
            )
            base = base + values
        self._set_legend([(self.color(i), term.replace("_", " ")) for i, term in enumerate(terms)])

    def readout_at(self, x: float, y: float) -> str:
        terms = self.terms()
        if not terms or not len(self.months):
            return ""
        idx = int(np.clip(round(x) - self.months[0], 0, len(self.months) - 1))
        parts = [f"{t} {compact_money(float(v[idx]), self.currency)}" for t, v in terms.items()]
        total = sum(float(v[idx]) for v in terms.values())
        return (
            f"month {int(self.months[idx])}, {self.selected}: total {compact_money(total, self.currency)} = "
            + ", ".join(parts)
        )


@dataclass(frozen=True)
class UtilisationSeries:
    """Cost per used GPU-hour: a curve over utilisation for an owned option, a flat rate for a rented one."""

    name: str
    owned: bool
    utilization: Array = field(default_factory=lambda: np.zeros(0))
    cost_per_gpu_hour: Array = field(default_factory=lambda: np.zeros(0))
    rate: float = 0.0


class UtilisationChart(ChartWidget):
    """Cost per used GPU-hour against average utilisation; owned curves fall, rented lines stay flat."""

    def __init__(self) -> None:
        super().__init__(
            "Cost per used GPU-h vs utilisation (%)",
            x_label="",
            y_label="per used GPU-h",
        )
        self._curves: list[pg.PlotDataItem] = []
        self.marks = pg.ScatterPlotItem(size=11, symbol="d")
        self.marks.setZValue(10)
        self.plot_item.addItem(self.marks)
        self.series: list[UtilisationSeries] = []
        self.break_even: list[tuple[str, str, float, float]] = []  # owned, rented, utilisation 0..1, cost

    def set_data(
        self,
        series: Sequence[UtilisationSeries],
        break_even: Sequence[tuple[str, str, float, float]],
        currency: str,
    ) -> None:
        self.series = list(series)
        self.break_even = list(break_even)
        self.currency = currency
        self.set_axis_label(f"{currency} per used GPU-h")
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "marks"):
            return
        curves = self._pool(self._curves, len(self.series), lambda: pg.PlotDataItem())
        for i, (curve, s) in enumerate(zip(curves, self.series, strict=True)):
            if s.owned:
                curve.setPen(pg.mkPen(self.color_of(s.name, i), width=2))
                curve.setData(100 * s.utilization, s.cost_per_gpu_hour)
            else:
                curve.setPen(
                    pg.mkPen(self.color_of(s.name, i), width=2, style=pg.QtCore.Qt.PenStyle.DashLine)
                )
                curve.setData([0.0, 100.0], [s.rate, s.rate])
        self._set_legend(
            [
                (self.color_of(s.name, i), s.name + ("" if s.owned else " (rented, flat)"))
                for i, s in enumerate(self.series)
            ][:LEGEND_MAX],
            "◆ break-even utilisation" if self.break_even else "",
        )
        self.marks.setData(
            [100 * b[2] for b in self.break_even],
            [b[3] for b in self.break_even],
            brush=pg.mkBrush(self.palette_.marker),
            pen=pg.mkPen(self.palette_.background),
        )
        finite = [s.rate for s in self.series if not s.owned] + [
            float(np.nanmin(s.cost_per_gpu_hour)) for s in self.series if s.owned and len(s.cost_per_gpu_hour)
        ]
        if finite:
            self.plot_item.setYRange(0, 4 * max(finite), padding=0.02)
            self.plot_item.setXRange(0, 100, padding=0.01)

    def readout_at(self, x: float, y: float) -> str:
        if not self.series:
            return ""
        u = float(np.clip(x / 100.0, 0.0, 1.0))
        parts = []
        for s in self.series[:6]:
            if s.owned and len(s.utilization):
                value = float(np.interp(u, s.utilization, s.cost_per_gpu_hour))
            else:
                value = s.rate
            parts.append(f"{s.name}: {value:,.2f} {self.currency}/GPU-h")
        text = f"utilisation {u:.0%} — " + "; ".join(parts)
        near = [b for b in self.break_even if abs(100 * b[2] - x) < 3]
        if near:
            b = near[0]
            text += (
                f"   ◆ {b[0]} matches {b[1]} at {b[2]:.0%} utilisation ({b[3]:,.2f} {self.currency}/GPU-h)"
            )
        return text
