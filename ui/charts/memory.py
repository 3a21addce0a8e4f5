"""Per-workload GPU memory per GPU, stacked by term, against the capacity of the chosen GPU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg

from ui.charts.base import ChartWidget


@dataclass(frozen=True)
class MemoryBar:
    """One workload: GB per GPU by term (weights, gradients, ...), peak, and the GPU's capacity in GB."""

    label: str
    breakdown_gb: dict[str, float] = field(default_factory=dict)
    peak_gb: float = 0.0
    capacity_gb: float | None = None
    gpu: str = ""
    note: str = ""


class MemoryChart(ChartWidget):
    """Stacked GB per GPU for each workload with a capacity mark (the GPU's memory)."""

    def __init__(self) -> None:
        super().__init__("GPU memory per workload (GB/GPU)", x_label="", y_label="GB per GPU")
        self._bars: list[pg.BarGraphItem] = []
        self.capacity = pg.PlotDataItem(connect="pairs")
        self.capacity.setZValue(10)
        self.plot_item.addItem(self.capacity)
        self.bars: list[MemoryBar] = []

    def set_data(self, bars: Sequence[MemoryBar]) -> None:
        self.bars = list(bars)
        self.redraw()

    def terms(self) -> list[str]:
        seen: dict[str, None] = {}
        for b in self.bars:
            for k, v in b.breakdown_gb.items():
                if v > 1e-6:
                    seen.setdefault(k, None)
        return list(seen)

    def redraw(self) -> None:
        if not hasattr(self, "capacity"):
            return
        terms = self.terms()
        items = self._pool(self._bars, len(terms), lambda: pg.BarGraphItem(x=[], height=[], width=0.6))
        x = np.arange(len(self.bars), dtype=float)
        base = np.zeros(len(self.bars))
        for i, (item, term) in enumerate(zip(items, terms, strict=True)):
            values = np.array([b.breakdown_gb.get(term, 0.0) for b in self.bars])
            col = self.color(i)
            item.setOpts(
                x=x, height=values, y0=base.copy(), width=0.6, brush=pg.mkBrush(col), pen=pg.mkPen(col)
            )
            base = base + values
        cx: list[float] = []
        cy: list[float] = []
        for i, b in enumerate(self.bars):
            if b.capacity_gb:
                cx += [i - 0.42, i + 0.42]
                cy += [b.capacity_gb, b.capacity_gb]
        self.capacity.setData(cx, cy)
        self.capacity.setPen(
            pg.mkPen(self.palette_.foreground, width=3, style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        self.plot_item.getAxis("bottom").setTicks(
            [[(float(i), b.label[:22]) for i, b in enumerate(self.bars)]]
        )
        entries = [(self.color(i), term.replace("_", " ")) for i, term in enumerate(terms)]
        if cx:
            entries.append((self.palette_.foreground, "GPU memory (capacity, dashed)"))
        notes = [f"{b.label}: {b.note}" for b in self.bars if b.note]
        if not self.bars:
            notes.append("no workload with a memory estimate: add one from a template (model + method)")
        self._set_legend(entries, "; ".join(notes))
        if self.bars:
            top = max([float(base.max()) if len(base) else 0.0] + [b.capacity_gb or 0.0 for b in self.bars])
            self.plot_item.setYRange(0, max(1.0, top) * 1.15, padding=0)
            self.plot_item.setXRange(-0.6, len(self.bars) - 0.4, padding=0)

    def readout_at(self, x: float, y: float) -> str:
        if not self.bars:
            return ""
        b = self.bars[int(np.clip(round(x), 0, len(self.bars) - 1))]
        parts = ", ".join(f"{k} {v:,.1f} GB" for k, v in b.breakdown_gb.items() if v > 1e-6)
        cap = f" of {b.capacity_gb:,.0f} GB on {b.gpu}" if b.capacity_gb else ""
        fit = ""
        if b.capacity_gb:
            fit = " — fits" if b.peak_gb <= b.capacity_gb else " — does NOT fit"
        note = f" ({b.note})" if b.note else ""
        return f"{b.label}: peak {b.peak_gb:,.1f} GB per GPU{cap}{fit}; {parts}{note}"
