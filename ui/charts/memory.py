"""Per-workload GPU memory per GPU, stacked by term, against the capacity of the chosen GPU.

Workload names are long ("DPO Llama 3.1 8B (preference tuning)"), so the x axis is ticked W1…Wn and a
caption under the plot spells out each name; the hover read-out names the workload in full. The memory terms
(up to ~20) are listed one per line in a legend beside the plot, so every term stays visible.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from ui.charts.base import ChartWidget

# 20 distinguishable colours (the "tab20" cycle): more terms than the 10-colour series would repeat colours.
TERM_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
)
MIN_PLOT_HEIGHT = 150


@dataclass(frozen=True)
class MemoryBar:
    """One workload: GB per GPU by term (weights, gradients, ...), peak, and the GPU's capacity in GB."""

    label: str
    breakdown_gb: dict[str, float] = field(default_factory=dict)
    peak_gb: float = 0.0
    capacity_gb: float | None = None
    gpu: str = ""
    note: str = ""


def short_label(index: int) -> str:
    """The x-axis tick of the ``index``-th workload (0-based): 'W1', 'W2', …"""
    return f"W{index + 1}"


class MemoryChart(ChartWidget):
    """Stacked GB per GPU for each workload with a capacity mark (the GPU's memory)."""

    def __init__(self) -> None:
        super().__init__("GPU memory per workload (GB/GPU)", x_label="", y_label="GB per GPU")
        self._bars: list[pg.BarGraphItem] = []
        self.capacity = pg.PlotDataItem(connect="pairs")
        self.capacity.setZValue(10)
        self.plot_item.addItem(self.capacity)
        self.bars: list[MemoryBar] = []
        self._ticks: list[tuple[float, str]] = []
        self._caption = ""
        # The term legend goes beside the plot (one term a line); the label under the plot is the caption.
        self.term_legend = QLabel(" ")
        self.term_legend.setObjectName("term_legend")
        self.term_legend.setTextFormat(Qt.TextFormat.RichText)
        self.term_legend.setStyleSheet("font-size: 10px;")
        self.term_legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.term_legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        self._column = layout
        index = layout.indexOf(self.plot)
        layout.removeWidget(self.plot)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.plot, 1)
        row.addWidget(self.term_legend)
        layout.insertLayout(index, row, 1)
        self.redraw()

    def set_data(self, bars: Sequence[MemoryBar]) -> None:
        self.bars = list(bars)
        self.redraw()

    def terms(self) -> list[str]:
        """Terms with a non-zero value in at least one workload, in the engine's order."""
        seen: dict[str, None] = {}
        for b in self.bars:
            for k, v in b.breakdown_gb.items():
                if v > 1e-6:
                    seen.setdefault(k, None)
        return list(seen)

    def term_color(self, index: int) -> str:
        return TERM_COLORS[index % len(TERM_COLORS)]

    def tick_labels(self) -> list[tuple[float, str]]:
        return list(self._ticks)

    def caption_text(self) -> str:
        """The caption under the plot as plain text ('W1 LoRA … · W2 …')."""
        return self._caption

    def redraw(self) -> None:
        if not hasattr(self, "term_legend"):
            return
        terms = self.terms()
        items = self._pool(self._bars, len(terms), lambda: pg.BarGraphItem(x=[], height=[], width=0.6))
        x = np.arange(len(self.bars), dtype=float)
        base = np.zeros(len(self.bars))
        for i, (item, term) in enumerate(zip(items, terms, strict=True)):
            values = np.array([b.breakdown_gb.get(term, 0.0) for b in self.bars])
            col = self.term_color(i)
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
        self._ticks = [(float(i), short_label(i)) for i in range(len(self.bars))]
        self.plot_item.getAxis("bottom").setTicks([self._ticks])
        entries = [(self.term_color(i), term.replace("_", " ")) for i, term in enumerate(terms)]
        if cx:
            entries.append((self.palette_.foreground, "GPU capacity (dashed)"))
        self.legend_entries = entries
        lines = [f"<span style='color:{c}'>■</span>&nbsp;{html.escape(t)}" for c, t in entries[: len(terms)]]
        if cx:  # drawn in the label's own text colour: readable whatever the chart palette
            lines.append("<b>- -</b>&nbsp;GPU capacity (dashed)")
        self.term_legend.setText("<br>".join(lines) or " ")
        self.term_legend.setVisible(bool(entries))
        self._set_caption()
        if self.bars:
            top = max([float(base.max()) if len(base) else 0.0] + [b.capacity_gb or 0.0 for b in self.bars])
            self.plot_item.setYRange(0, max(1.0, top) * 1.15, padding=0)
            self.plot_item.setXRange(-0.6, len(self.bars) - 0.4, padding=0)

    def _set_caption(self) -> None:
        """Under the plot: what W1…Wn stand for, and any workload's note."""
        esc = html.escape
        names = [f"<b>{short_label(i)}</b>&nbsp;{esc(b.label)}" for i, b in enumerate(self.bars)]
        notes = [f"{short_label(i)}: {b.note}" for i, b in enumerate(self.bars) if b.note]
        if not self.bars:
            notes.append("no workload with a memory estimate: add one from a template (model + method)")
        text = " · ".join(names)
        if notes:
            text += (" — " if text else "") + f"<i>{esc('; '.join(notes))}</i>"
        self.legend.setText(text or " ")
        plain = " · ".join(f"{short_label(i)} {b.label}" for i, b in enumerate(self.bars))
        self._caption = plain + (" — " + "; ".join(notes) if notes else "")
        self.fit_legend()

    def preferred_height(self) -> int:
        """Height that shows the whole term legend beside a plot of at least MIN_PLOT_HEIGHT pixels."""
        legend = self.term_legend.sizeHint().height() if self.term_legend.isVisibleTo(self) else 0
        chrome = sum(
            w.sizeHint().height() if w is not self.legend else w.height()
            for w in (self.title_label, self.legend, self.readout)
        )
        margins = self._column.contentsMargins()
        spacing = 3 * self._column.spacing()
        return max(MIN_PLOT_HEIGHT, legend) + chrome + margins.top() + margins.bottom() + spacing + 4

    def readout_at(self, x: float, y: float) -> str:
        if not self.bars:
            return ""
        i = int(np.clip(round(x), 0, len(self.bars) - 1))
        b = self.bars[i]
        parts = ", ".join(f"{k} {v:,.1f} GB" for k, v in b.breakdown_gb.items() if v > 1e-6)
        cap = f" of {b.capacity_gb:,.0f} GB on {b.gpu}" if b.capacity_gb else ""
        fit = ""
        if b.capacity_gb:
            fit = " — fits" if b.peak_gb <= b.capacity_gb else " — does NOT fit"
        note = f" ({b.note})" if b.note else ""
        return f"{b.label}: peak {b.peak_gb:,.1f} GB per GPU{cap}{fit}; {parts}{note} [{short_label(i)}]"
