"""The plan optimiser (HiGHS through scipy.optimize.milp) equals a brute-force enumeration in plain Python
(tests/plan/reference_plan.py) on a few hundred random small projects — and a planted bug is caught."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine import plan as plan_mod
from planner.engine.plan import plan
from planner.project import parse_project
from tests.plan import reference_plan

money = st.floats(min_value=0.5, max_value=20.0).map(lambda x: round(x, 2))


@st.composite
def small_project(draw: st.DrawFn) -> dict[str, Any]:
    h = draw(st.integers(1, 3))
    jobs = draw(st.sampled_from([0, 1, 2, 5]))
    demand: dict[str, Any] = {
        "gpu_hours_per_month": draw(st.floats(min_value=50, max_value=3000).map(lambda x: round(x, 1))),
        "growth_annual": draw(st.sampled_from([0.0, 0.5, 3.0])),
    }
    if jobs:
        demand.update(jobs_per_month=jobs, gpus_per_job=draw(st.sampled_from([1, 2, 4])))
    regulated = draw(st.booleans())
    if regulated:
        demand["regulated_fraction"] = draw(st.sampled_from([0.5, 1.0]))
    gps = draw(st.sampled_from([1, 2, 4]))
    own = {
        "kind": "onprem",
        "name": "own",
        "servers": 1,
        "server_price": draw(st.floats(min_value=500, max_value=20000).map(lambda x: round(x))),
        "gpus_per_server": gps,
        "lead_time_months": draw(st.sampled_from([0, 0, 1])),
        "residual_fraction": draw(st.sampled_from([0.0, 0.3])),
        "maintenance_rate_annual": draw(st.sampled_from([0.0, 0.12])),
        "network_capex": draw(st.sampled_from([0.0, 800.0])),
    }
    ri = {
        "kind": "cloud",
        "name": "ri",
        "rate_unit": "gpu",
        "pricing": "reserved",
        "rate_per_hour": draw(money),
        "gpus_per_instance": draw(st.sampled_from([1, 2])),
        "monthly_fixed": draw(st.sampled_from([0.0, 300.0])),
        "certifications": ["hipaa"] if draw(st.booleans()) else [],
    }
    term = draw(st.sampled_from([None, 1, 2, 3]))
    if term is not None:
        ri["term_months"] = term
    uses = []
    for i in range(draw(st.integers(1, 2))):
        u = {
            "kind": "cloud",
            "name": f"use {i}",
            "rate_unit": "gpu",
            "rate_per_hour": draw(money),
            "pricing": draw(st.sampled_from(["on_demand", "spot"])),
            "monthly_fixed": draw(st.sampled_from([0.0, 500.0])),
            "billing_increment_s": draw(st.sampled_from([1, 60, 3600])),
            "certifications": ["hipaa"] if draw(st.booleans()) else [],
        }
        if u["pricing"] == "spot":
            u["spot_overhead"] = draw(st.sampled_from([0.0, 0.1]))
        uses.append(u)
    return {
        "name": "small",
        "currency": "USD",
        "horizon_months": h,
        "discount_rate_annual": draw(st.sampled_from([0.0, 0.1])),
        "compliance": ["hipaa"] if regulated else [],
        "demand": demand,
        "options": [own, ri, *uses],
    }


def _agree(d: dict[str, Any]) -> tuple[float, float]:
    got = plan(parse_project(d), mip_rel_gap=1e-9)
    want = reference_plan.best_plan(d)
    return (got.objective if got.feasible else float("inf")), want


def _close(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= 1e-6 * max(1.0, abs(b)) + 0.01


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_project())
def test_optimiser_equals_brute_force(d: dict[str, Any]) -> None:
    got, want = _agree(d)
    assert _close(got, want), (got, want)


def test_a_planted_bug_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reservation that stops being paid at the horizon (its term ignored) must be found by the same check."""
    real = plan_mod.Reservation

    def no_liability(*args: Any, **kwargs: Any) -> Any:
        return replace(real(*args, **kwargs), term=None)

    monkeypatch.setattr(plan_mod, "Reservation", no_liability)
    caught = False

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(small_project())
    def check(d: dict[str, Any]) -> None:
        got, want = _agree(d)
        assert _close(got, want)

    try:
        check()
    except AssertionError:
        caught = True
    assert caught
