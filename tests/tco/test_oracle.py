"""The vectorised engine equals the plain-Python scalar reference (tests/tco/reference.py) to the cent."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from planner.engine.tco import evaluate
from planner.project import parse_project
from tests.tco import reference
from tests.tco.strategies import project_dict


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.0, abs_tol=0.01) or math.isclose(a, b, rel_tol=1e-12)


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
