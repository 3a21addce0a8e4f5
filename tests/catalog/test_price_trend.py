"""planner.price_trend: expected rates computed by hand from the points' dates and values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import history
from db.packs import apply_packs, read_packs
from planner.price_trend import PricePoint, group_trend, price_on, sku_trend
from tests.catalog.test_packs import NEBIUS, TODAY

D0 = dt.date(2022, 1, 1)
D4 = dt.date(2026, 1, 1)  # 1,461 days = exactly 4 x 365.25


def _p(day: dt.date, value: float, currency: str = "USD") -> PricePoint:
    return PricePoint(day, value, currency, "https://example.org/prices")


def test_halving_over_four_years_is_about_minus_15_9_percent_a_year() -> None:
    trend = sku_trend([_p(D0, 100.0), _p(D4, 50.0)])
    assert trend is not None
    assert trend.annual_change == pytest.approx(0.840896 - 1.0, abs=1e-6)  # 0.5 ** 0.25 = 0.840896
    assert trend.monthly_factor == pytest.approx(0.5 ** (1 / 48), abs=1e-9)
    assert (trend.points, trend.items, trend.first, trend.last) == (2, 1, D0, D4)
    assert trend.describe().startswith("prices falling 15.9 % a year")


def test_a_cheap_new_offer_does_not_read_as_a_price_cut_in_a_group() -> None:
    histories = {
        "a": [_p(D0, 100.0), _p(D4, 50.0)],
        "b": [_p(D0, 10.0), _p(D4, 5.0)],
        "newcomer": [_p(D4, 1.0)],  # one point: no trend of its own, left out
    }
    trend = group_trend(histories)
    assert trend is not None
    assert trend.annual_change == pytest.approx(-0.159104, abs=1e-6)
    assert (trend.items, trend.points) == (2, 4)


def test_too_short_or_empty_histories_have_no_trend_and_mixed_currencies_are_refused() -> None:
    assert sku_trend([_p(D0, 100.0)]) is None
    assert sku_trend([_p(D0, 100.0), _p(D0 + dt.timedelta(days=30), 90.0)]) is None
    assert group_trend({}) is None
    with pytest.raises(ValueError, match="currencies"):
        sku_trend([_p(D0, 100.0), _p(D4, 90.0, "EUR")])


def test_price_on_a_date_is_the_latest_point_not_after_it() -> None:
    points = [_p(D0, 100.0), _p(D4, 50.0)]
    assert price_on(points, dt.date(2024, 6, 1)) == points[0]
    assert price_on(points, D4) == points[1]
    assert price_on(points, dt.date(2021, 1, 1)) is None


def test_the_trend_of_a_refreshed_sku_comes_from_its_stored_history(engine: Engine, tmp_path: Path) -> None:
    apply_packs(engine, read_packs([NEBIUS], engine=engine, today=TODAY, as_of=dt.date(2026, 1, 1)))
    newer = tmp_path / "nebius" / "vms.csv"
    newer.parent.mkdir()
    newer.write_text(
        NEBIUS.read_text().replace("1600gb,H100,8,128,1600,23.60,", "1600gb,H100,8,128,1600,11.80,")
    )
    apply_packs(engine, read_packs([newer], engine=engine, today=TODAY, as_of=dt.date(2026, 7, 2)))
    points = history.series(
        engine, "cloud", "Nebius | gpu-h100-sxm_8gpu-128vcpu-1600gb | eu-north1 | gpu_cloud"
    )
    assert [(p.as_of, p.value) for p in points["on_demand"]] == [
        (dt.date(2026, 1, 1), 23.60),
        (dt.date(2026, 7, 2), 11.80),
    ]
    trend = sku_trend(points["on_demand"])
    assert trend is not None  # halved in 182 days: 0.5 ** (365.25 / 182) - 1 = -0.7512
    assert trend.annual_change == pytest.approx(-0.7512, abs=1e-4)
