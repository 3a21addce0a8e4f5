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
    # eu-north1 1x H200 halved (a made-up later snapshot; the shipped 8x H100 row there is newer
    # than 2026-01-01 and would keep its price)
    text = NEBIUS.read_text().replace(
        "200gb,H200,1,16,200,3.50,eu-north1", "200gb,H200,1,16,200,1.75,eu-north1"
    )
    newer.write_text(text)
    apply_packs(engine, read_packs([newer], engine=engine, today=TODAY, as_of=dt.date(2026, 7, 2)))
    key = "Nebius | gpu-h200-sxm_1gpu-16vcpu-200gb | eu-north1 | gpu_cloud"
    points = history.series(engine, "cloud", key)
    assert [(p.as_of, p.value) for p in points["on_demand"]] == [
        (dt.date(2026, 1, 1), 3.50),
        (dt.date(2026, 7, 2), 1.75),
    ]
    trend = sku_trend(points["on_demand"])
    assert trend is not None  # halved in 182 days: 0.5 ** (365.25 / 182) - 1 = -0.7512
    assert trend.annual_change == pytest.approx(-0.7512, abs=1e-4)


def test_shipped_history_keeps_the_pre_cut_p5_price_and_gives_the_aws_h100_trend(engine: Engine) -> None:
    points = history.series(engine, "cloud", "AWS | p5.48xlarge | us-east-1 | iaas_vm")["on_demand"]
    # the July-2023 list price, then the May-31-2025 list x (1 - 44 %) from the AWS announcement
    assert [(p.as_of, p.value) for p in points] == [
        (dt.date(2023, 7, 27), 98.32),
        (dt.date(2025, 6, 1), pytest.approx(98.32 * 0.56)),
    ]
    trend = history.cloud_price_trend(engine, gpu_name="H100 SXM", provider="AWS")
    assert trend is not None
    days = (dt.date(2025, 6, 1) - dt.date(2023, 7, 27)).days  # 675; other AWS H100 rows have one price
    assert trend.annual_change == pytest.approx(0.56 ** (365.25 / days) - 1.0, rel=1e-9)  # -26.9 % a year
    assert (trend.items, trend.points) == (1, 2)
    assert trend.sources[0].startswith("https://github.com/skypilot-org/skypilot-catalog")
