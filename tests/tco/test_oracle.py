"""The vectorised engine equals the plain-Python scalar reference (tests/tco/reference.py) to the cent:
totals, present value, served GPU-hours, every month of the cash and amortised vectors, and the break-even
month of every pair."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from planner.engine.tco import evaluate
from planner.project import parse_project
from tests.tco import reference
from tests.tco.strategies import project_dict


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.0, abs_tol=0.01) or math.isclose(a, b, rel_tol=1e-12)


def _on_the_tolerance_edge(cash_a: list[float], cash_b: list[float], month: int) -> bool:
    """True when the two cumulative totals at ``month`` differ by half a cent ± float noise (a tie the two
    implementations may break differently)."""
    gap = sum(cash_a[:month]) - sum(cash_b[:month]) - 0.005
    scale = max(1.0, abs(sum(cash_a[:month])), abs(sum(cash_b[:month])))
    return abs(gap) <= 1e-9 * scale


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project_dict())
def test_engine_equals_scalar_reference_to_the_cent(d: dict) -> None:
    project = parse_project(d)
    result = evaluate(project)
    ref = reference.evaluate(project)
    for opt in result.options:
        r = ref[opt.name]
        assert _close(opt.total, r["total"]), (opt.name, opt.total, r["total"])
        assert _close(opt.total_amortised, r["total_amortised"]), (
            opt.name,
            opt.total_amortised,
            r["total_amortised"],
        )
        assert _close(opt.present_value, r["present_value"]), (
            opt.name,
            opt.present_value,
            r["present_value"],
        )
        assert _close(float(opt.served_gpu_hours.sum()), r["served"]), (opt.name, "served")
        assert _close(float(opt.cumulative[-1]), opt.total)
        assert len(opt.monthly) == len(r["monthly"]) == project.horizon_months
        for m in range(project.horizon_months):
            assert _close(float(opt.monthly[m]), r["monthly"][m]), (opt.name, "cash", m + 1)
            assert _close(float(opt.monthly_amortised[m]), r["monthly_amortised"][m]), (
                opt.name,
                "amortised",
                m + 1,
            )
            assert _close(float(opt.cumulative[m]), sum(r["monthly"][: m + 1])), (
                opt.name,
                "cumulative",
                m + 1,
            )
    pairs = [(b.a, b.b) for b in result.break_even]
    names = [o.name for o in project.options]
    assert sorted(pairs) == sorted((a, b) for a in names for b in names if a != b)
    for be in result.break_even:
        cash_a, cash_b = ref[be.a]["monthly"], ref[be.b]["monthly"]
        expected = reference.break_even_month(cash_a, cash_b)
        if be.month != expected:
            first = min(m for m in (be.month, expected) if m is not None)
            assert _on_the_tolerance_edge(cash_a, cash_b, first), (be.a, be.b, be.month, expected)
