"""The Results view beside the editor: recommendation with reasons and key numbers, and six live charts."""

from __future__ import annotations

import html
from collections import deque
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner.analysis import Analysis
from planner.engine.explain import explain
from ui import present
from ui.charts import (
    BreakdownChart,
    Crossing,
    CumulativeCostChart,
    MemoryBar,
    MemoryChart,
    MonteCarloChart,
    TornadoChart,
    TornadoRow,
    UtilisationChart,
    UtilisationSeries,
    compact_money,
)
from ui.charts.base import READOUT_HINT
from ui.layout import remember_splitter

MC_OPTIONS = 4
CHART_HEIGHT = 270


class ResultsPanel(QWidget):
    """Recommendation panel and charts; :meth:`apply` draws one Analysis (plot items are reused)."""

    drawn = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.status = QLabel("Open or create a project to see results.")
        self.status.setObjectName("results_status")
        self.status.setWordWrap(True)
        self.status.setFixedHeight(2 * self.status.fontMetrics().lineSpacing() + 4)  # no re-layout on change
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.recommendation = QTextBrowser()
        self.recommendation.setObjectName("recommendation")
        self.recommendation.setOpenExternalLinks(False)
        self.recommendation.setMinimumHeight(90)
        self.cumulative = CumulativeCostChart()
        self.breakdown = BreakdownChart()
        self.memory = MemoryChart()
        self.utilisation = UtilisationChart()
        self.tornado = TornadoChart()
        self.monte_carlo = MonteCarloChart()
        self.charts = [
            self.cumulative,
            self.breakdown,
            self.memory,
            self.utilisation,
            self.tornado,
            self.monte_carlo,
        ]
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for i, chart in enumerate(self.charts):
            chart.setFixedHeight(CHART_HEIGHT)
            grid.addWidget(chart, i // 2, i % 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.recommendation)
        scroll = QScrollArea()
        scroll.setObjectName("charts_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(grid_holder)
        self.charts_scroll = scroll
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([150, 650])  # reasons and the first key numbers in view; charts scroll below
        remember_splitter(splitter, "results/splitter")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.shown: Analysis | None = None
        self.mc_shown: Any = None
        self._steps: deque[Any] = deque()
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._step)

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #d93025; font-weight: bold;" if error else "")

    # ---- drawing ----------------------------------------------------------------------------------
    # One chart per event-loop turn: each repaint stays short, so the UI never stalls on a full redraw.
    def apply(self, results: Analysis) -> None:
        """Draw ``results`` (every chart but the Monte Carlo one, which :meth:`apply_monte_carlo` draws)."""
        self.shown = results
        self._reset_readouts()
        colors = {o.name: i for i, o in enumerate(results.tco.options)}
        for chart in (self.cumulative, self.utilisation, self.monte_carlo):
            chart.name_colors = colors
        self._steps = deque(
            [
                self._draw_cumulative,
                self._draw_text,
                self._draw_breakdown,
                self._draw_memory,
                self._draw_utilisation,
                self._draw_tornado,
            ]
        )
        self._step_timer.start()

    def clear(self, status: str) -> None:
        """Show no result at all (another project was opened): every chart empty, no recommendation."""
        self._steps.clear()
        self._step_timer.stop()
        self.shown = None
        self.mc_shown = None
        empty = np.zeros(0)
        self.cumulative.set_data(empty, [], [], "USD")
        self.breakdown.set_data(empty, {}, "USD")
        self.memory.set_data([])
        self.utilisation.set_data([], [], "USD")
        self.tornado.set_data("", [], "USD")
        self.monte_carlo.set_data({}, "", (0.0, 0.0, 0.0), {}, "USD")
        self.recommendation.clear()
        for chart in self.charts:  # no axis keeps the old project's scale either
            view = chart.plot_item.vb
            view.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0.0)
            view.enableAutoRange()
        self._reset_readouts()
        self.set_status(status)

    def _reset_readouts(self) -> None:
        """A read-out names what was under the pointer: after new data it would name stale options."""
        for chart in self.charts:
            chart.readout.setText(READOUT_HINT)

    def is_drawing(self) -> bool:
        return bool(self._steps)

    def _step(self) -> None:
        if self._steps:
            self._steps.popleft()()
        if self._steps:
            self._step_timer.start()
        else:
            self.drawn.emit()

    def focus(self) -> str:
        """The option the tornado and Monte Carlo centre on: the recommended one (else the cheapest)."""
        if self.shown is None:
            return ""
        tco = self.shown.tco
        names = [o.name for o in tco.options]
        if tco.recommendation is not None and tco.recommendation.option in names:
            return tco.recommendation.option
        return min(tco.options, key=lambda o: o.total).name if tco.options else ""

    def _draw_cumulative(self) -> None:
        assert self.shown is not None
        tco = self.shown.tco
        self.cumulative.set_data(
            tco.months.astype(float),
            [(o.name, o.cumulative) for o in tco.options],
            _crossings(tco),
            tco.currency,
        )

    def _draw_breakdown(self) -> None:
        assert self.shown is not None
        tco = self.shown.tco
        self.breakdown.set_data(
            tco.months.astype(float),
            {o.name: o.breakdown for o in tco.options},
            tco.currency,
            selected=tco.recommendation.option if tco.recommendation is not None else None,
        )

    def _draw_memory(self) -> None:
        assert self.shown is not None
        self.memory.set_data(
            [
                MemoryBar(m.name, dict(m.breakdown_gb), m.memory_gb_per_gpu, m.capacity_gb, m.gpu, m.note)
                for m in self.shown.workloads
                if m.memory_gb_per_gpu is not None
            ]
        )
        # The memory row grows when many terms are listed beside the plot (its neighbour keeps the row even).
        height = max(CHART_HEIGHT, self.memory.preferred_height())
        if height != self.memory.height():
            for chart in (self.memory, self.utilisation):
                chart.setFixedHeight(height)

    def _draw_utilisation(self) -> None:
        assert self.shown is not None
        r = self.shown
        self.utilisation.set_data(
            [
                UtilisationSeries(u.name, u.owned, u.utilisation, u.cost_per_gpu_hour, u.flat_rate)
                for u in r.utilisation
            ],
            [(m.owned, m.rented, m.utilisation, m.cost_per_gpu_hour) for m in r.break_even_marks],
            r.tco.currency,
        )

    def _draw_tornado(self) -> None:
        assert self.shown is not None
        focus = self.focus()
        rows = [
            TornadoRow(
                _input_label(b.input, focus),
                b.low_total,
                b.high_total,
                b.base_total,
                b.low_value,
                b.high_value,
            )
            for b in self.shown.tco.tornado
            if b.option == focus
        ]
        self.tornado.set_data(focus, rows, self.shown.tco.currency)

    def _draw_text(self) -> None:
        assert self.shown is not None
        self.recommendation.setHtml(recommendation_html(self.shown))

    def apply_monte_carlo(self, full: Analysis | None) -> None:
        """Show ``full`` — the analysis shown, Monte Carlo included (None: no samples) — and draw its Monte
        Carlo; every other figure of ``full`` equals the one already drawn (same analysis, samples added)."""
        mc = full.tco.monte_carlo if full is not None else None
        if full is not None:
            self.shown = full
        self.mc_shown = mc
        focus = self.focus()
        cur = self.shown.tco.currency if self.shown is not None else "USD"
        if mc is not None and mc.names and focus in mc.names:
            ranked = sorted(mc.names, key=lambda n: mc.p50[n])[:MC_OPTIONS]
            if focus not in ranked:
                ranked[-1] = focus
            cols = {n: i for i, n in enumerate(mc.names)}
            samples = {n: np.asarray(mc.totals[:, cols[n]]) for n in ranked}
            self.monte_carlo.set_data(
                samples, focus, (mc.p10[focus], mc.p50[focus], mc.p90[focus]), mc.prob_cheapest, cur
            )
        else:
            self.monte_carlo.set_data({}, focus, (0.0, 0.0, 0.0), {}, cur)

    def recommendation_text(self) -> str:
        return self.recommendation.toPlainText()


def _input_label(path: str, option: str) -> str:
    """'options.<option>.onprem.server_price' -> 'onprem server price'; 'demand.scale' -> 'demand scale' (the chart is about that option)."""
    return path.removeprefix(f"options.{option}.").replace("_", " ").replace(".", " ")


def _crossings(tco: Any) -> list[Crossing]:
    by_name = {o.name: o for o in tco.options}
    out = []
    seen: set[frozenset[str]] = set()
    for b in tco.break_even:
        if b.month is None or b.month <= 1:
            continue
        pair = frozenset((b.a, b.b))
        if pair in seen:
            continue
        seen.add(pair)
        a = by_name[b.a]
        out.append(Crossing(b.a, b.b, float(b.month), float(a.cumulative[b.month - 1])))
    return out


def recommendation_html(results: Analysis) -> str:
    tco = results.tco
    rec = tco.recommendation
    cur = tco.currency
    esc = html.escape
    if rec is None:
        blocked = "".join(f"<li>{esc(explain(r, cur))}</li>" for r in tco.blocked_by)
        why = "".join(f"<li>{esc(explain(r, cur))}</li>" for st in tco.statuses.values() for r in st.why)
        return (
            f"<h3 style='margin:0'>No recommendation</h3><ul style='margin:2px 0'>{blocked}</ul>"
            f"<p style='margin:4px 0 0 0'><b>Why no option is a plan</b></p><ul style='margin:2px 0'>{why}</ul>"
        )
    rows = "".join(
        f"<tr><td>{esc(o.name)}</td><td align='right'>{esc(compact_money(o.total, cur))}</td>"
        f"<td align='right'>{'—' if o.per_used_gpu_hour is None else f'{o.per_used_gpu_hour:,.2f}'}</td></tr>"
        for o in sorted(tco.options, key=lambda o: o.total)[:6]
    )
    reasons = "".join(f"<li>{esc(r)}</li>" for r in rec.reasons)
    numbers = "".join(
        f"<tr><td>{esc(label)}</td><td style='padding-left:14px'><b>{esc(value)}</b></td></tr>"
        for label, value in key_number_rows(rec.key_numbers, currency=cur, option=rec.option)
    )
    warnings = "".join(f"<li>{esc(w)}</li>" for w in tco.warnings[:6])
    parts = [
        f"<h3 style='margin:0'>Recommendation: {esc(rec.option)}</h3>",
        f"<p style='margin:2px 0'><i>{esc(rec.label)}</i></p>",
        f"<ul style='margin:2px 0'>{reasons}</ul>",
        f"<p style='margin:4px 0 0 0'><b>Key numbers</b></p>"
        f"<table cellspacing='0' cellpadding='1' style='margin-left:12px'>{numbers}</table>"
        if numbers
        else "",
        f"<table cellspacing='6'><tr><th align='left'>option (cheapest first)</th><th>horizon total</th>"
        f"<th>{esc(cur)} per used GPU-h</th></tr>{rows}</table>",
        f"<p style='margin:2px 0'><b>Warnings</b></p><ul style='margin:2px 0'>{warnings}</ul>"
        if warnings
        else "",
    ]
    return "".join(parts)


# ---- key numbers for people -----------------------------------------------------------------------------
# recommendation.key_numbers (planner/engine/recommend.py) is a flat dict of machine keys; each known key gets a
# label and a unit here; an unknown key still shows, with its name made readable and a plain number.
_PLAIN_KEYS: dict[str, tuple[str, str]] = {
    "peak_gpus": ("Peak demand", "gpus"),
    "avg_demand_gpu_hours_per_month": ("Average demand", "gpu_hours_month"),
    "pinned_gpu_hours_per_month": ("Kept on premises (regulated or pinned)", "gpu_hours_month"),
    "horizon_months": ("Horizon", "months"),
    "fte_onprem": ("Staff to run it on premises", "fte"),
    "fte_managed_k8s": ("Staff to run it on managed Kubernetes", "fte"),
    "fte_cloud_native": ("Staff to run it cloud-native", "fte"),
    "cheapest_overall": ("Cheapest option overall", "text"),
}
_PER_OPTION_KEYS: dict[str, tuple[str, str]] = {
    "utilization": ("Utilisation of {}", "percent"),
    "break_even_utilization": ("Break-even utilisation of {}", "break_even"),
}


def key_number_rows(key_numbers: dict[str, Any], *, currency: str, option: str = "") -> list[tuple[str, str]]:
    """(label, value) pairs for people: '32 %', '1,639,408 USD', '36 months', '1,880 GPU-hours a month'."""
    rows: list[tuple[str, str]] = []
    for key, value in key_numbers.items():
        label, kind = _describe_key(key, option)
        rows.append((label, _format_key_value(value, kind, currency)))
    return rows


def _describe_key(key: str, option: str) -> tuple[str, str]:
    if key in _PLAIN_KEYS:
        return _PLAIN_KEYS[key]
    if key == "total":
        return (f"Total cost of {option}" if option else "Total cost", "money")
    base, bracket, rest = key.partition("[")
    if bracket and rest.endswith("]") and base in _PER_OPTION_KEYS:
        template, kind = _PER_OPTION_KEYS[base]
        return template.format(rest[:-1]), kind
    words = key.replace("_", " ").replace("[", " of ").replace("]", "").strip()
    label = words[:1].upper() + words[1:]
    if key.endswith("_month"):
        return label, "month"
    if any(part in key for part in ("cost", "price", "total", "capex", "opex")):
        return label, "money"
    return label, "number"


def _format_key_value(value: Any, kind: str, currency: str) -> str:
    if value is None:
        return "never (dearer per GPU-hour even at 100 %)" if kind == "break_even" else "—"
    if isinstance(value, str) or kind == "text":
        return str(value)
    number = float(value)
    if kind in ("percent", "break_even"):
        return present.percent(number)
    if kind == "money":
        return present.money(number, currency)
    if kind == "months":
        return f"{number:,.0f} months"
    if kind == "month":
        return f"month {number:,.0f}"
    if kind == "gpus":
        return f"{_plain(number)} GPUs at once"
    if kind == "gpu_hours_month":
        return f"{number:,.0f} GPU-hours a month"
    if kind == "fte":
        return f"{_plain(number)} FTE"
    return _plain(number)


def _plain(number: float) -> str:
    """4.0 -> '4', 2.5 -> '2.5', 1234.5 -> '1,234': no spurious decimals."""
    if abs(number) >= 1000 or number == int(number):
        return f"{number:,.0f}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")
