"""Prices that move (issue 14, item 7 and "prices move over time"): a cloud price trend, power and salary
escalation — in each option as configured and in the plan; each figure worked by hand in the comments."""

from __future__ import annotations

from typing import Any

import pytest

from planner.engine import montecarlo as mc
from planner.engine.plan import plan
from planner.engine.tco import evaluate
from planner.project import parse_project


def _p(h: int, options: list[dict[str, Any]], demand: float, **kw: Any) -> Any:
    return parse_project(
        {
            "name": "t",
            "currency": "USD",
            "horizon_months": h,
            "demand": {"gpu_hours_per_month": demand},
            "options": options,
            **kw,
        }
    )


def test_a_falling_cloud_price_turns_a_74_percent_break_even_into_never() -> None:
    # own: one 8-GPU server at 155,577.60, nothing else; cloud $1 a GPU-hour. Over 36 months at utilisation u
    # the cloud costs u × 5,840 × 36 = u × 210,240 → break-even u = 155,577.6 / 210,240 = 74 %.
    # At −20 % a year the cloud at u = 100 % costs 5,840 × Σ_{m=0}^{35} 0.8^(m/12) = 5,840 × (1 − 0.8³) /
    # (1 − 0.8^(1/12)) ≈ 154,700 < 155,577.60: owning never breaks even.
    own = {"kind": "onprem", "name": "own", "servers": 1, "server_price": 155577.6, "gpus_per_server": 8}
    cloud = {"kind": "cloud", "name": "cloud", "rate_per_hour": 1.0, "rate_unit": "gpu"}
    flat = evaluate(_p(36, [cloud, own], 2000))
    be = {(b.a, b.b): b.utilization for b in flat.break_even}
    assert be[("own", "cloud")] == pytest.approx(0.74, abs=0.0026)  # the grid's 0.25 % step
    falling = evaluate(_p(36, [{**cloud, "price_trend_annual": -0.2}, own], 2000))
    be = {(b.a, b.b): b.utilization for b in falling.break_even}
    assert be[("own", "cloud")] is None
    s = (1 - 0.8**3) / (1 - 0.8 ** (1 / 12))
    assert 5840 * s < 155577.6
    # and the total: 2,000 GPU-h a month × $1 × Σ 0.8^(m/12)
    assert falling.option("cloud").total == pytest.approx(2000 * s)


def test_power_and_salary_escalate_by_the_year() -> None:
    # 10 kW around the clock at $0.10: 730 a month, × 1.1^(m/12); staff 1 FTE at 120,000: 10,000 a month,
    # × 1.05^(m/12); 24 months
    own = {
        "kind": "onprem",
        "name": "own",
        "servers": 1,
        "server_price": 1000,
        "gpus_per_server": 8,
        "power_kw_per_server": 10,
        "electricity_per_kwh": 0.1,
        "staff_fte": 1,
        "fte_cost_annual": 120000,
    }
    r = evaluate(_p(24, [own], 1000, electricity_escalation_annual=0.1, salary_escalation_annual=0.05))
    o = r.option("own")
    assert o.breakdown["power"].sum() == pytest.approx(730 * sum(1.1 ** (m / 12) for m in range(24)))
    assert o.breakdown["staff"].sum() == pytest.approx(10000 * sum(1.05 ** (m / 12) for m in range(24)))
    pl = plan(_p(24, [own], 1000, electricity_escalation_annual=0.1, salary_escalation_annual=0.05))
    assert pl.total == pytest.approx(o.total)


def test_the_plan_signs_each_reservation_at_the_months_trended_price() -> None:
    # one instance around the clock for 24 months; both rates fall 20 % a year; 12-month terms.
    # Signed in month 1 at $50: 12 × 730 × 50 = 438,000; in month 13 at 50 × 0.8: 350,400 → 788,400.
    od = {
        "kind": "cloud",
        "name": "od",
        "rate_per_hour": 98.32,
        "rate_unit": "instance",
        "gpus_per_instance": 8,
        "price_trend_annual": -0.2,
    }
    ri = {
        "kind": "cloud",
        "name": "ri",
        "rate_per_hour": 50.0,
        "rate_unit": "instance",
        "gpus_per_instance": 8,
        "pricing": "reserved",
        "term_months": 12,
        "on_demand_rate_per_hour": 98.32,
        "price_trend_annual": -0.2,
    }
    p = _p(24, [od, ri], 5840)
    pl = plan(p)
    assert pl.total == pytest.approx(788_400.0)
    assert pl.paid["ri"].tolist() == [36_500.0] * 12 + [pytest.approx(29_200.0)] * 12
    tot, ok = mc.plan_totals(p, pl, {}, 2)
    assert tot[0] == pytest.approx(788_400.0) and ok.all()


def test_depreciation_starts_at_go_live() -> None:
    # a 12,000 server, live after 3 months, written off over 12: nothing in months 1–3, 1,000 a month in
    # months 4–12, and at the horizon (month 12) the 3 months not yet written off, 3,000, as a disposal loss
    own = {
        "kind": "onprem",
        "name": "own",
        "servers": 1,
        "server_price": 12000,
        "gpus_per_server": 8,
        "lead_time_months": 3,
        "depreciation_months": 12,
    }
    cloud = {"kind": "cloud", "name": "bridge", "rate_per_hour": 1.0, "rate_unit": "gpu"}
    r = evaluate(_p(12, [cloud, {**own, "bridge_option": "bridge"}], 100))
    amort = r.option("own").monthly_amortised - r.option("own").breakdown.get("bridge_cloud", 0.0)
    assert amort.tolist() == pytest.approx([0.0] * 3 + [1000.0] * 8 + [4000.0])
