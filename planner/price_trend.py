"""Cloud price trends from price history: pure functions the decision engine can use as its default.

A trend is the annual rate of change of a price, fitted by least squares to ln(price) against time in
years (a constant yearly percentage, as cloud price cuts are). For a group of SKUs (e.g. every H100
offer) the fit pools all their points with one intercept per SKU, so a cheap provider entering the
group does not read as a price cut: only changes within each SKU's own history count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_SPAN_DAYS = 90
"""A SKU whose history spans fewer days than this says nothing about a trend and is left out."""

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class PricePoint:
    """One price of one item on one date: ``value`` in ``currency`` (ISO 4217) per hour or per unit."""

    as_of: dt.date
    value: float
    currency: str
    source: str


@dataclass(frozen=True)
class PriceTrend:
    """A fitted price trend: ``annual_change`` is a fraction per year (-0.2 = prices fall 20 % a year)."""

    annual_change: float
    items: int  # SKUs whose history entered the fit
    points: int
    first: dt.date
    last: dt.date
    sources: tuple[str, ...]  # distinct sources of the points, oldest first

    @property
    def monthly_factor(self) -> float:
        """Multiplier of a price from one month to the next (730-hour months, 12 a year)."""
        return float((1.0 + self.annual_change) ** (1.0 / 12.0))

    def describe(self) -> str:
        """One sentence for people: the rate, what it rests on and the period."""
        direction = "falling" if self.annual_change < 0 else "rising"
        return (
            f"prices {direction} {abs(self.annual_change) * 100:.1f} % a year, fitted to {self.points} "
            f"prices of {self.items} offer(s) from {self.first.isoformat()} to {self.last.isoformat()}"
        )


def _usable(points: Sequence[PricePoint], min_span_days: int) -> list[PricePoint]:
    good = [p for p in points if p.value > 0 and math.isfinite(p.value)]
    if len(good) < 2:
        return []
    if len({p.currency for p in good}) != 1:
        raise ValueError("a price history mixes currencies; convert it to one currency first")
    span = (max(p.as_of for p in good) - min(p.as_of for p in good)).days
    return good if span >= min_span_days else []


def group_trend(
    histories: Mapping[str, Sequence[PricePoint]], *, min_span_days: int = MIN_SPAN_DAYS
) -> PriceTrend | None:
    """The pooled trend of several SKUs' histories (one intercept each, one common slope), or None.

    None when no SKU has two positive prices at least ``min_span_days`` apart.
    """
    used = {k: _usable(v, min_span_days) for k, v in histories.items()}
    used = {k: v for k, v in used.items() if v}
    if not used:
        return None
    currencies = {v[0].currency for v in used.values()}
    if len(currencies) != 1:
        raise ValueError("the histories are in different currencies; convert them to one first")
    epoch = min(p.as_of for v in used.values() for p in v)
    sxx = sxy = 0.0
    for pts in used.values():
        xs = [(p.as_of - epoch).days / DAYS_PER_YEAR for p in pts]
        ys = [math.log(p.value) for p in pts]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx += sum((x - mx) ** 2 for x in xs)
        sxy += sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx  # sxx > 0: every used history spans at least min_span_days > 0
    all_points = sorted((p for v in used.values() for p in v), key=lambda p: p.as_of)
    sources = tuple(dict.fromkeys(p.source for p in all_points))
    return PriceTrend(
        annual_change=math.exp(slope) - 1.0,
        items=len(used),
        points=len(all_points),
        first=all_points[0].as_of,
        last=all_points[-1].as_of,
        sources=sources,
    )


def sku_trend(points: Sequence[PricePoint], *, min_span_days: int = MIN_SPAN_DAYS) -> PriceTrend | None:
    """The trend of one SKU's price history, or None when it is too short to say."""
    return group_trend({"sku": points}, min_span_days=min_span_days)


def price_on(points: Sequence[PricePoint], on: dt.date) -> PricePoint | None:
    """The latest point on or before ``on`` (None when the history starts later)."""
    best: PricePoint | None = None
    for p in points:
        if p.as_of <= on and (best is None or p.as_of >= best.as_of):
            best = p
    return best
