"""Public worked examples (tests/data/tco_worked_examples.json): hand-checked arithmetic reproduced by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.engine.cashflow import egress_cost
from planner.engine.tco import evaluate, onprem_cost_per_gpu_hour
from planner.project import CloudOption, OnPremOption, parse_project

DATA = json.loads((Path(__file__).parents[1] / "data" / "tco_worked_examples.json").read_text())
EX = {e["id"]: e for e in DATA["examples"]}


def test_every_example_cites_a_source_and_records_slips() -> None:
    for e in DATA["examples"]:
        assert e["source"] and e["hand_check"] and e["expected"]
    assert "35,000" in EX["seed000_case_study"]["slip"]


def test_seed000_case_study_three_years() -> None:
    exp = EX["seed000_case_study"]["expected"]
    p = parse_project(
        {
            "name": "case",
            "currency": "USD",
            "horizon_months": 36,
            "demand": {"gpu_hours_per_month": 8000 / 12},
            "options": [
                {"kind": "cloud", "name": "cloud", "rate_per_hour": 2.5, "rate_unit": "gpu"},
                {
                    "kind": "onprem",
                    "name": "local",
                    "server_price": 50000,
                    "gpus_per_server": 4,
                    "maintenance_rate_annual": 0.1,
                },
            ],
        }
    )
    r = evaluate(p)
    assert r.option("cloud").total == pytest.approx(exp["cloud_total"], abs=0.01)
    assert r.option("local").total == pytest.approx(exp["local_total"], abs=0.01)
    assert r.option("cloud").total != pytest.approx(35000.0, abs=1.0)


def test_crowdee_monthly_amortised_total() -> None:
    e = EX["crowdee_8xh100_monthly"]["engine_inputs"]
    p = parse_project(
        {
            "name": "crowdee",
            "currency": "USD",
            "horizon_months": 36,
            # the source prices the server, not a demand; the owned costs here do not depend on it
            "demand": {"gpu_hours_per_month": 8 * 730},
            "options": [
                {
                    "kind": "onprem",
                    "name": "8x H100",
                    "servers": 1,
                    "server_price": e["capex"],
                    "gpus_per_server": 8,
                    "depreciation_months": e["depreciation_months"],
                    "staff_fte": e["staff_fte"],
                    "fte_cost_annual": e["fte_cost_annual"],
                    "monthly_fixed": e["electricity_monthly"] + e["network_cooling_maintenance_monthly"],
                },
            ],
        }
    )
    r = evaluate(p).option("8x H100")
    assert r.monthly_amortised[5] == pytest.approx(
        EX["crowdee_8xh100_monthly"]["expected"]["amortised_monthly"], abs=0.01
    )
    assert r.breakdown["staff"][0] == pytest.approx(60000.0)


@pytest.mark.parametrize(("months", "key"), [(36, "per_gpu_hour_36m"), (60, "per_gpu_hour_60m")])
def test_depreciation_life_rule_of_thumb(months: int, key: str) -> None:
    gpu = OnPremOption(name="one GPU", servers=1, server_price=30000.0, gpus_per_server=1)
    got = onprem_cost_per_gpu_hour(gpu, 0.70, months, 730.0)
    assert got == pytest.approx(EX["computetape_depreciation_life"]["expected"][key], abs=5e-5)


def test_gcp_month_is_730_hours() -> None:
    p = parse_project(
        {
            "name": "gcp",
            "currency": "USD",
            "horizon_months": 1,
            "demand": {"gpu_hours_per_month": 8 * 730},
            "options": [
                {
                    "kind": "cloud",
                    "name": "a3",
                    "rate_per_hour": 88.49,
                    "rate_unit": "instance",
                    "gpus_per_instance": 8,
                }
            ],
        }
    )
    assert evaluate(p).option("a3").total == pytest.approx(
        EX["gcp_a3_highgpu_8g_month"]["expected"]["monthly"], abs=0.005
    )


def test_aws_tiered_egress() -> None:
    tiers = ((10.0, 90.0), (50.0, 85.0), (150.0, 70.0), (None, 50.0))
    opt = CloudOption(name="aws", egress_tiers=tiers)
    assert egress_cost(opt, 60.0) == pytest.approx(EX["aws_egress_tiers"]["expected"]["egress_60tb"])
    assert egress_cost(opt, 5.0) == pytest.approx(450.0)
    assert egress_cost(opt, 200.0) == pytest.approx(900 + 3400 + 7000 + 2500)


def test_vertex_30_second_increments() -> None:
    job_gpu_hours = 8 * 605 / 3600
    p = parse_project(
        {
            "name": "vertex",
            "currency": "USD",
            "horizon_months": 1,
            "demand": {"gpu_hours_per_month": 100 * job_gpu_hours, "jobs_per_month": 100, "gpus_per_job": 8},
            "options": [
                {
                    "kind": "cloud",
                    "name": "vertex",
                    "rate_per_hour": 2.93,
                    "rate_unit": "gpu",
                    "gpus_per_instance": 8,
                    "billing_increment_s": 30,
                }
            ],
        }
    )
    assert evaluate(p).option("vertex").total == pytest.approx(
        EX["vertex_30s_increments"]["expected"]["monthly_100_jobs"], abs=0.01
    )
