"""Vector charts for the proposal, drawn with reportlab.graphics from the engine's series (the same arrays the
app charts): cumulative cost with break-even markers, cost breakdown, tornado, Monte Carlo P10/P50/P90.

Each function returns a :class:`reportlab.graphics.shapes.Drawing` sized in points. ``money`` formats an
axis value in the project's currency (compact, e.g. "€1.2M").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors

from ui.report.fonts import BOLD, REGULAR

Money = Callable[[float], str]

# Grayscale-safe: eight colours of strictly increasing lightness (viridis, sampled), so neighbouring shades
# stay apart in grey print and for the common colour-vision deficiencies; lines add dash patterns.
PALETTE = [
    colors.HexColor(c)
    for c in ("#2D0F4E", "#46337E", "#365C8D", "#277F8E", "#1FA187", "#4AC16D", "#9FDA3A", "#E8E419")
]
DASHES: list[list[float] | None] = [None, [5, 2], [1.2, 1.6], [6, 2, 1.2, 2], [3, 3], [8, 2, 2, 2, 2, 2]]


GRID = colors.HexColor("#DDDDDD")
AXIS = colors.HexColor("#444444")
FONT_SIZE = 7


def colour(i: int) -> colors.Color:
    return PALETTE[i % len(PALETTE)]


def line_colour(i: int) -> colors.Color:
    """Lines alternate dark and middle shades (the lightest are too faint for a thin line)."""
    return PALETTE[(0, 3, 1, 4, 2, 5)[i % 6]]


def dash(i: int) -> list[float] | None:
    """A dash pattern per series, independent of the colour cycle: 36 distinguishable lines."""
    return DASHES[(i + i // 6) % len(DASHES)]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.999:
        ticks.append(round(v, 10))
        v += step
    return ticks


@dataclass
class _Frame:
    """Maps data coordinates to the plot rectangle of a drawing."""

    x0: float
    y0: float
    w: float
    h: float
    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def x(self, v: float) -> float:
        return self.x0 + (v - self.xmin) / (self.xmax - self.xmin or 1.0) * self.w

    def y(self, v: float) -> float:
        return self.y0 + (v - self.ymin) / (self.ymax - self.ymin or 1.0) * self.h


def _text(
    d: Drawing,
    x: float,
    y: float,
    s: str,
    *,
    anchor: str = "start",
    size: float = FONT_SIZE,
    bold: bool = False,
) -> None:
    d.add(
        String(x, y, s, fontName=BOLD if bold else REGULAR, fontSize=size, fillColor=AXIS, textAnchor=anchor)
    )


def _y_axis(d: Drawing, f: _Frame, ticks: Sequence[float], fmt: Money) -> None:
    for t in ticks:
        y = f.y(t)
        d.add(Line(f.x0, y, f.x0 + f.w, y, strokeColor=GRID, strokeWidth=0.4))
        _text(d, f.x0 - 3, y - 2.5, fmt(t), anchor="end")
    d.add(Line(f.x0, f.y0, f.x0, f.y0 + f.h, strokeColor=AXIS, strokeWidth=0.6))


def _x_axis_values(d: Drawing, f: _Frame, ticks: Sequence[float], fmt: Money) -> None:
    for t in ticks:
        x = f.x(t)
        d.add(Line(x, f.y0, x, f.y0 + f.h, strokeColor=GRID, strokeWidth=0.4))
        _text(d, x, f.y0 - 9, fmt(t), anchor="middle")
    d.add(Line(f.x0, f.y0, f.x0 + f.w, f.y0, strokeColor=AXIS, strokeWidth=0.6))


def _legend(
    d: Drawing, names: Sequence[str], x: float, y: float, max_w: float, *, lines: bool = False
) -> float:
    """Legend entries left to right, wrapping; returns the height used."""
    cx, cy, used = x, y, 10.0
    for i, name in enumerate(names):
        label = name if len(name) <= 40 else name[:39] + "…"
        w = 14 + len(label) * FONT_SIZE * 0.55 + 10
        if cx + w > x + max_w and cx > x:
            cx, cy, used = x, cy - 10, used + 10
        if lines:
            d.add(
                Line(
                    cx,
                    cy + 3,
                    cx + 10,
                    cy + 3,
                    strokeColor=line_colour(i),
                    strokeWidth=1.6,
                    strokeDashArray=dash(i),
                )
            )
        else:
            d.add(Rect(cx, cy, 9, 6, fillColor=colour(i), strokeColor=AXIS, strokeWidth=0.3))
        _text(d, cx + 12, cy, label)
        cx += w
    return used


def cumulative_chart(
    months: Sequence[int],
    series: Sequence[tuple[str, Sequence[float]]],
    markers: Sequence[tuple[str, int, float]],
    money: Money,
    width: float = 460,
    height: float = 230,
) -> Drawing:
    """Cumulative cash cost per option over the months; ``markers`` (label, month, value) mark break-evens."""
    d = Drawing(width, height)
    legend_h = _legend(d, [n for n, _ in series], 50, height - 10, width - 60, lines=True)
    all_values = [v for _, vals in series for v in vals] or [0.0]
    ticks = nice_ticks(min(0.0, min(all_values)), max(all_values))
    f = _Frame(62, 28, width - 72, height - 40 - legend_h, min(months), max(months), ticks[0], ticks[-1])
    _y_axis(d, f, ticks, money)
    mticks = [m for m in nice_ticks(min(months), max(months), 6) if min(months) <= m <= max(months)]
    _x_axis_values(d, f, mticks, lambda v: f"{v:g}")
    _text(d, f.x0 + f.w / 2, 4, "month", anchor="middle")
    for i, (_, vals) in enumerate(series):
        pts: list[float] = []
        for m, v in zip(months, vals, strict=False):
            pts += [f.x(m), f.y(v)]
        d.add(PolyLine(pts, strokeColor=line_colour(i), strokeWidth=1.4, strokeDashArray=dash(i)))
    for label, month, value in markers:
        x, y = f.x(month), f.y(value)
        d.add(Circle(x, y, 3.2, fillColor=colors.white, strokeColor=AXIS, strokeWidth=1))
        _text(d, x + 5, y + 4, label, size=6.5)
    return d


def breakdown_chart(
    rows: Sequence[tuple[str, dict[str, float]]],
    money: Money,
    width: float = 460,
    height: float | None = None,
) -> Drawing:
    """One horizontal stacked bar per option: horizon total per cost term (negative terms, e.g. residual
    value, drawn left of zero)."""
    terms: list[str] = []
    for _, parts in rows:
        terms += [t for t in parts if t not in terms and abs(parts[t]) > 0]
    bar_h, gap = 14.0, 8.0
    plot_h = len(rows) * (bar_h + gap)
    legend_lines = 1 + len(terms) // 5
    height = height or plot_h + 50 + legend_lines * 10
    d = Drawing(width, height)
    legend_h = _legend(d, [t.replace("_", " ") for t in terms], 10, height - 10, width - 20)
    neg = min([sum(min(v, 0) for v in p.values()) for _, p in rows] + [0.0])
    pos = max([sum(max(v, 0) for v in p.values()) for _, p in rows] + [1.0])
    ticks = nice_ticks(neg, pos, 5)
    xmin = neg * 1.08 if neg < 0 else 0.0  # a small negative term (residual value) gets a small margin
    ticks = [x for x in ticks if x >= xmin]
    label_w = min(150.0, width * 0.32)
    f = _Frame(label_w, 20, width - label_w - 14, height - 32 - legend_h, xmin, ticks[-1], 0, 1)
    _x_axis_values(d, f, ticks, money)
    for r, (name, parts) in enumerate(rows):
        y = f.y0 + f.h - (r + 1) * (bar_h + gap) + gap / 2
        short = name if len(name) <= 34 else name[:33] + "…"
        _text(d, f.x0 - 4, y + bar_h / 2 - 2.5, short, anchor="end")
        left_pos, left_neg = 0.0, 0.0
        for t_i, term in enumerate(terms):
            v = parts.get(term, 0.0)
            if v == 0:
                continue
            start = left_pos if v > 0 else left_neg + v
            d.add(
                Rect(
                    f.x(start),
                    y,
                    f.x(start + abs(v)) - f.x(start),
                    bar_h,
                    fillColor=colour(t_i),
                    strokeColor=colors.white,
                    strokeWidth=0.3,
                )
            )
            if v > 0:
                left_pos += v
            else:
                left_neg += v
    if ticks[0] < 0:
        d.add(Line(f.x(0), f.y0, f.x(0), f.y0 + f.h, strokeColor=AXIS, strokeWidth=0.6))
    return d


def tornado_chart(
    bars: Sequence[tuple[str, float, float]],
    base: float,
    money: Money,
    width: float = 460,
) -> Drawing:
    """Horizon total of one option when each input moves to its low/high value: one bar per input, widest
    swing on top, centred on the base total."""
    bar_h, gap = 12.0, 6.0
    height = len(bars) * (bar_h + gap) + 46
    d = Drawing(width, height)
    lo = min([min(a, b) for _, a, b in bars] + [base])
    hi = max([max(a, b) for _, a, b in bars] + [base])
    pad = (hi - lo) * 0.05 or abs(base) * 0.05 or 1.0
    ticks = nice_ticks(lo - pad, hi + pad, 5)
    label_w = min(170.0, width * 0.36)
    f = _Frame(label_w, 20, width - label_w - 14, height - 40, ticks[0], ticks[-1], 0, 1)
    _x_axis_values(d, f, ticks, money)
    d.add(Rect(label_w, height - 13, 9, 6, fillColor=PALETTE[1], strokeColor=None))
    _text(d, label_w + 12, height - 13, "input at its low value")
    d.add(Rect(label_w + 110, height - 13, 9, 6, fillColor=PALETTE[6], strokeColor=AXIS, strokeWidth=0.3))
    _text(d, label_w + 122, height - 13, "input at its high value")
    for r, (label, low_total, high_total) in enumerate(bars):
        y = f.y0 + f.h - (r + 1) * (bar_h + gap) + gap / 2
        short = label if len(label) <= 40 else label[:39] + "…"
        _text(d, f.x0 - 4, y + bar_h / 2 - 2.5, short, anchor="end")
        for value, fill in ((low_total, PALETTE[1]), (high_total, PALETTE[6])):
            a, b = sorted((f.x(base), f.x(value)))
            d.add(Rect(a, y, max(b - a, 0.5), bar_h, fillColor=fill, strokeColor=None))
    d.add(Line(f.x(base), f.y0, f.x(base), f.y0 + f.h, strokeColor=AXIS, strokeWidth=0.8))
    return d


def monte_carlo_chart(
    rows: Sequence[tuple[str, float, float, float]],
    money: Money,
    samples: int,
    width: float = 460,
) -> Drawing:
    """Per option the P10–P90 range of the horizon total as a bar with the P50 as a diamond."""
    row_h = 20.0
    height = len(rows) * row_h + 44
    d = Drawing(width, height)
    lo = min(r[1] for r in rows)
    hi = max(r[3] for r in rows)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
    ticks = nice_ticks(lo - pad, hi + pad, 5)
    label_w = min(150.0, width * 0.32)
    f = _Frame(label_w, 20, width - label_w - 14, height - 38, ticks[0], ticks[-1], 0, 1)
    _x_axis_values(d, f, ticks, money)
    _text(d, label_w, height - 12, f"bar: P10–P90, diamond: P50 ({samples:,} samples)")
    for r, (name, p10, p50, p90) in enumerate(rows):
        y = f.y0 + f.h - (r + 0.5) * row_h
        short = name if len(name) <= 34 else name[:33] + "…"
        _text(d, f.x0 - 4, y - 2.5, short, anchor="end")
        d.add(Rect(f.x(p10), y - 4, max(f.x(p90) - f.x(p10), 0.8), 8, fillColor=PALETTE[3], strokeColor=None))
        x = f.x(p50)
        d.add(
            Polygon(
                [x, y + 6, x + 5, y, x, y - 6, x - 5, y],
                fillColor=colors.white,
                strokeColor=AXIS,
                strokeWidth=0.9,
            )
        )
    return d
