"""Staffing by deployment model (seed 002 §9) and neutral values of explicit options."""

from __future__ import annotations

import pytest

from planner.engine.tco import evaluate
from planner.project import parse_project
from planner.staffing import SEED_FTE_TABLE, deployment_model_for, fte_for

STACK = ("fine_tuning", "experiment_tracking", "model_registry")


def test_seed_table_values_and_on_call() -> None:
    assert SEED_FTE_TABLE["onprem"]["fine_tuning"] == (2.0, 4.0)
    assert SEED_FTE_TABLE["cloud_native"]["experiment_tracking"] == (0.0, 0.1)
    # mid points 3.0 + 0.75 + 0.375, plus 3 x 0.25 on-call on premises
    assert fte_for("onprem", STACK, "mid") == pytest.approx(3.0 + 0.75 + 0.375 + 0.75)
    assert fte_for("managed_k8s", STACK, "low") == pytest.approx(1.0 + 0.25 + 0.1)
    assert fte_for("cloud_native", STACK, "high") == pytest.approx(0.5 + 0.1 + 0.1)
    assert fte_for("onprem", (), "mid") == 0.0


def test_table_overrides_and_rows() -> None:
    table = {"onprem": {"fine_tuning": (1.0, 1.0)}}
    assert fte_for("onprem", ("fine_tuning",), "high", table) == pytest.approx(1.25)
    assert deployment_model_for("hybrid") == "onprem"
    assert deployment_model_for("cloud", managed=True) == "cloud_native"
    assert deployment_model_for("managed_k8s") == "managed_k8s"


def _project(**opt: object) -> dict:
    return {
        "name": "n",
        "currency": "USD",
        "horizon_months": 24,
        "mlops_stack": list(STACK),
        "electricity_per_kwh": 0.1,
        "demand": {"gpu_hours_per_month": 1000},
        "options": [{"kind": "onprem", "name": "rack", "server_price": 100000, **opt}],
    }


def test_explicit_option_is_never_padded() -> None:
    r = evaluate(parse_project(_project()))
    assert r.option("rack").total == pytest.approx(100000.0)  # nothing but the typed capex
    staffed = evaluate(parse_project(_project(staff_from_table=True, fte_cost_annual=120000)))
    assert staffed.option("rack").breakdown["staff"][0] == pytest.approx(4.875 * 120000 / 12)
