"""Cost per GPU-hour by quote (bars) against the current project's cloud options (dashed reference lines).

Bars: all-in USD per used GPU-hour of each quote from the TCO engine's on-prem model; expired quotes are
drawn grey and hatched-looking (lighter), incomplete ones (completeness warnings or no GPUs) are tagged
"(incomplete)"; the cheapest valid, complete quote is in the "good" colour (``best_index``). Reference lines:
each cloud option's USD per used GPU-hour at the project's demand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt

from ui.charts.base import ChartWidget


@dataclass(frozen=True)
class QuoteBar:
    label: str
    usd_per_gpu_hour: float | None
    expired: bool = False
    incomplete: bool = False


@dataclass(frozen=True)
class ReferenceLine:
    label: str
    usd_per_gpu_hour: float


class _LabelAxis(pg.AxisItem):  # type: ignore[misc]
    """Bottom axis showing quote names at integer positions."""

    def __init__(self) -> None:
        super().__init__(orientation="bottom")
        self.labels: list[str] = []

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        out = []
        for v in values:
            i = int(round(v))
            out.append(self.labels[i] if abs(v - i) < 1e-6 and 0 <= i < len(self.labels) else "")
        return out

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:  # noqa: N802,N803
        return [(1.0, [float(i) for i in range(len(self.labels))])]


class QuotesChart(ChartWidget):
    """Bars of USD per GPU-hour per quote with the project's cloud options as horizontal lines."""

    def __init__(self) -> None:
        self._axis = _LabelAxis()
        super().__init__("All-in cost per GPU-hour by quote", x_label="", y_label="USD per used GPU-hour")
        self.plot_item.setAxisItems({"bottom": self._axis})
        self.bars_item = pg.BarGraphItem(x=[], height=[], width=0.6)
        self.plot_item.addItem(self.bars_item)
        self._texts: list[pg.TextItem] = []
        self._lines: list[pg.InfiniteLine] = []
        # Reference-line labels at the right end of their lines, pushed apart vertically when two cloud
        # options cost about the same (ChartWidget.place_labels): never printed over each other.
        self._line_labels: list[pg.TextItem] = []
        self.plot_item.vb.sigResized.connect(self._place_line_labels)
        self.plot_item.vb.sigRangeChanged.connect(self._place_line_labels)
        self.bars: list[QuoteBar] = []
        self.references: list[ReferenceLine] = []
        self.best_index = -1
        """Bar drawn in the "good" colour: the cheapest valid, complete quote (-1: none)."""
        self.plot_item.setMouseEnabled(x=False, y=False)

    def set_data(self, bars: Sequence[QuoteBar], references: Sequence[ReferenceLine]) -> None:
        self.bars = list(bars)
        self.references = [r for r in references if math.isfinite(r.usd_per_gpu_hour)]
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "bars_item"):
            return
        self._axis.labels = [_short(b.label) for b in self.bars]
        values = [b.usd_per_gpu_hour if b.usd_per_gpu_hour is not None else 0.0 for b in self.bars]
        valid = [
            (v, i)
            for i, (b, v) in enumerate(zip(self.bars, values, strict=True))
            if not b.expired and not b.incomplete and v > 0
        ]
        best = min(valid)[1] if valid else -1
        self.best_index = best
        brushes = []
        for i, b in enumerate(self.bars):
            if b.expired:
                brushes.append(pg.mkBrush("#b0b0b0"))
            elif i == best:
                brushes.append(pg.mkBrush(self.palette_.good))
            else:
                brushes.append(pg.mkBrush(self.color(0)))
        if self.bars:
            pens = [pg.mkPen(self.palette_.foreground, width=1)] * len(values)
            self.bars_item.setOpts(
                x=list(range(len(self.bars))), height=values, width=0.6, brushes=brushes, pens=pens
            )
            self.bars_item.show()
        else:
            self.bars_item.hide()
        texts = self._pool(self._texts, len(self.bars), lambda: pg.TextItem(anchor=(0.5, 1.0)))
        for i, (item, b, v) in enumerate(zip(texts, self.bars, values, strict=True)):
            tag = " (expired)" if b.expired else " (incomplete)" if b.incomplete else ""
            item.setText(
                "—" if b.usd_per_gpu_hour is None else f"{v:.2f}{tag}", color=self.palette_.foreground
            )
            item.setPos(i, v)
        lines = self._pool(self._lines, len(self.references), self._make_line)
        for i, (line, ref) in enumerate(zip(lines, self.references, strict=True)):
            colour = self.color(i + 1)
            line.setPen(pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine))
            line.setPos(ref.usd_per_gpu_hour)
        labels = self._pool(self._line_labels, len(self.references), self._make_label, ignore_bounds=True)
        for i, (label, ref) in enumerate(zip(labels, self.references, strict=True)):
            label.setText(f"{_short(ref.label, 28)}: {ref.usd_per_gpu_hour:.2f}", color=self.color(i + 1))
            label.fill = pg.mkBrush(self.palette_.background + "c0")
        top = max([*values, *(r.usd_per_gpu_hour for r in self.references), 1.0])
        self.plot_item.setXRange(-0.6, max(len(self.bars), 1) - 0.4, padding=0)
        self.plot_item.setYRange(0, top * 1.18, padding=0)
        self._place_line_labels()

    def _make_line(self) -> pg.InfiniteLine:
        return pg.InfiniteLine(angle=0, movable=False)

    def _make_label(self) -> pg.TextItem:
        label = pg.TextItem(anchor=(1.0, 0.5))
        label.setZValue(20)
        return label

    def _place_line_labels(self, *_: object) -> None:
        labels = self._line_labels[: len(self.references)]
        right = self.plot_item.vb.viewRange()[0][1]
        self.place_labels(labels, [(right, r.usd_per_gpu_hour) for r in self.references], axis="y")

    def readout_at(self, x: float, y: float) -> str:
        i = int(round(x))
        if 0 <= i < len(self.bars) and abs(x - i) <= 0.3:
            b = self.bars[i]
            value = (
                "no GPUs mapped"
                if b.usd_per_gpu_hour is None
                else f"{b.usd_per_gpu_hour:.3f} USD per GPU-hour"
            )
            tag = " — expired" if b.expired else " — incomplete, never best" if b.incomplete else ""
            return f"{b.label}: {value}{tag}"
        near = [r for r in self.references if abs(r.usd_per_gpu_hour - y) <= 0.03 * max(y, 1.0)]
        return "; ".join(f"{r.label}: {r.usd_per_gpu_hour:.3f} USD per GPU-hour" for r in near)


def _short(label: str, width: int = 14) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
