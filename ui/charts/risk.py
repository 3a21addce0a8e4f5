"""Uncertainty charts: sensitivity tornado and the Monte Carlo distribution with P10/P50/P90."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg

from ui.charts.base import ChartWidget, compact_money

Array = npt.NDArray[np.float64]
TORNADO_BARS = 10


@dataclass(frozen=True)
class TornadoRow:
    """Horizon total of one option with one input at its low / high value (all else at base)."""

    label: str
    low_total: float
    high_total: float
    base_total: float
    low_value: float
    high_value: float


class TornadoChart(ChartWidget):
    """The inputs that move the recommended option's total most, largest swing on top."""

    def __init__(self) -> None:
        super().__init__("Sensitivity: horizon total (M)", x_label="", y_label="")
        self.low_bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6)
        self.high_bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6)
        self.base_line = pg.InfiniteLine(angle=90, movable=False)
        for item in (self.low_bars, self.high_bars, self.base_line):
            self.plot_item.addItem(item)
        self.rows: list[TornadoRow] = []
        self.option = ""

    def set_data(self, option: str, rows: Sequence[TornadoRow], currency: str) -> None:
        ranked = sorted(rows, key=lambda r: abs(r.high_total - r.low_total), reverse=True)
        self.rows = ranked[:TORNADO_BARS]
        self.option = option
        self.currency = currency
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "base_line"):
            return
        n = len(self.rows)
        y = np.arange(n, dtype=float)[::-1]
        base = np.array([r.base_total for r in self.rows])
        low = np.array([r.low_total for r in self.rows])
        high = np.array([r.high_total for r in self.rows])
        scale = 1e6
        good, bad = self.palette_.good, self.palette_.bad
        self.low_bars.setOpts(
            x0=base / scale, x1=low / scale, y=y, height=0.6, brush=pg.mkBrush(good), pen=pg.mkPen(good)
        )
        self.high_bars.setOpts(
            x0=base / scale, x1=high / scale, y=y, height=0.6, brush=pg.mkBrush(bad), pen=pg.mkPen(bad)
        )
        if n:
            self.base_line.setPos(float(base[0]) / scale)
            self.base_line.setPen(pg.mkPen(self.palette_.foreground, width=1))
        axis = self.plot_item.getAxis("left")
        axis.setTicks([[(float(yy), _short(r.label)) for yy, r in zip(y, self.rows, strict=True)]])
        self.set_title(f"Sensitivity of the total (M {self.currency})")
        self._set_legend(
            [(good, "input at its low value"), (bad, "input at its high value")],
            f"of {self.option}; line: base total",
        )

    def readout_at(self, x: float, y: float) -> str:
        if not self.rows:
            return ""
        idx = len(self.rows) - 1 - int(np.clip(round(y), 0, len(self.rows) - 1))
        r = self.rows[idx]
        cur = self.currency
        return (
            f"{r.label}: low {r.low_value:,.4g} → {compact_money(r.low_total, cur)}; "
            f"high {r.high_value:,.4g} → {compact_money(r.high_total, cur)} (base {compact_money(r.base_total, cur)})"
        )


def _short(label: str, width: int = 24) -> str:
    """A tick label of at most ``width`` characters; a cut one ends in '…' (the read-out has it whole)."""
    return label if len(label) <= width else label[: width - 1] + "…"


class MonteCarloChart(ChartWidget):
    """Distribution of horizon totals per option over the Monte Carlo samples; P10/P50/P90 of the focus."""

    def __init__(self) -> None:
        super().__init__("Monte Carlo: horizon total (M)", x_label="", y_label="share of samples")
        self._hists: list[pg.PlotDataItem] = []
        # P10/P50/P90 labels sit at the top of the plot, centred on their lines and pushed apart when the
        # percentiles are close (ChartWidget.place_labels): they never print over each other.
        self.lines = [pg.InfiniteLine(angle=90, movable=False) for _ in range(3)]
        self.line_labels = [pg.TextItem(name, anchor=(0.5, 0.0)) for name in ("P10", "P50", "P90")]
        for line in self.lines:
            self.plot_item.addItem(line)
        for label in self.line_labels:
            self.plot_item.addItem(label, ignoreBounds=True)  # labels never widen the range they follow
        self.plot_item.vb.sigResized.connect(self._place_line_labels)
        self.plot_item.vb.sigRangeChanged.connect(self._place_line_labels)
        self.samples: dict[str, Array] = {}
        self.focus = ""
        self.percentiles: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.prob_cheapest: dict[str, float] = {}

    def set_data(
        self,
        samples: dict[str, Array],
        focus: str,
        percentiles: tuple[float, float, float],
        prob_cheapest: dict[str, float],
        currency: str,
    ) -> None:
        self.samples = {k: np.asarray(v, dtype=float) for k, v in samples.items()}
        self.focus = focus
        self.percentiles = percentiles
        self.prob_cheapest = dict(prob_cheapest)
        self.currency = currency
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "lines"):
            return
        hists = self._pool(
            self._hists, len(self.samples), lambda: pg.PlotDataItem(stepMode="center", fillLevel=0)
        )
        scale = 1e6
        for i, (item, (name, values)) in enumerate(zip(hists, self.samples.items(), strict=True)):
            counts, edges = np.histogram(values / scale, bins=40)
            share = counts / max(1, len(values))
            col = self.color_of(name, i)
            item.setPen(pg.mkPen(col, width=1.5))
            item.setBrush(pg.mkBrush(col + "40"))
            item.setData(edges, share)
        for line, label, value in zip(self.lines, self.line_labels, self.percentiles, strict=True):
            line.setPos(value / scale)
            line.setPen(pg.mkPen(self.palette_.foreground, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
            label.setColor(self.palette_.foreground)
            label.fill = pg.mkBrush(self.palette_.background + "c0")
            line.setVisible(bool(self.samples))
            label.setVisible(bool(self.samples))
        self._place_line_labels()
        self.set_title(f"Monte Carlo: horizon total (M {self.currency})")
        self._set_legend(
            [
                (self.color_of(n, i), f"{n} (cheapest in {self.prob_cheapest.get(n, 0):.0%})")
                for i, n in enumerate(self.samples)
            ],
            f"dashed: P10/P50/P90 of {self.focus}" if self.samples else "no Monte Carlo (0 samples)",
        )

    def _place_line_labels(self, *_: object) -> None:
        if not self.samples:
            return
        top = self.plot_item.vb.viewRange()[1][1]
        self.place_labels(self.line_labels, [(p / 1e6, top) for p in self.percentiles], axis="x")

    def readout_at(self, x: float, y: float) -> str:
        if not self.samples:
            return ""
        value = x * 1e6
        parts = [
            f"{n}: {np.mean(v <= value):.0%} of samples ≤ {compact_money(value, self.currency)}"
            for n, v in self.samples.items()
        ]
        p10, p50, p90 = self.percentiles
        cur = self.currency
        return (
            f"{self.focus}: P10 {compact_money(p10, cur)}, P50 {compact_money(p50, cur)}, P90 {compact_money(p90, cur)} — "
            + "; ".join(parts)
        )
