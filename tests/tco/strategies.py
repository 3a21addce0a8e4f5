"""Hypothesis strategies: random but valid project dicts covering every option kind and term."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def fl(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats without subnormals (a 1e-311 GPU-hour job is not an input anyone types)."""
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


money = fl(0.0, 500_000.0)
small_money = fl(0.0, 200.0)
frac = fl(0.0, 0.95)


STACK = ["fine_tuning", "experiment_tracking", "data_labeling", "model_registry", "hpo"]


@st.composite
def cloud_dict(draw: Any, name: str) -> dict[str, Any]:
    pricing = draw(st.sampled_from(["on_demand", "spot", "reserved", "savings_plan"]))
    d: dict[str, Any] = {
        "kind": draw(st.sampled_from(["cloud", "managed_k8s"])),
        "name": name,
        "rate_per_hour": draw(small_money),
        "rate_unit": draw(st.sampled_from(["instance", "gpu"])),
        "gpus_per_instance": draw(st.sampled_from([1, 2, 4, 8])),
        "pricing": pricing,
        "discount": draw(frac),
        "billing_increment_s": draw(st.sampled_from([1, 30, 60, 3600])),
        "min_billing_s": draw(st.sampled_from([0, 60, 600])),
        "spot_overhead": draw(fl(0.0, 0.5)),
        "managed_premium": draw(fl(0.0, 0.5)),
        "storage_tb": draw(fl(0.0, 100.0)),
        "storage_per_tb_month": draw(fl(0.0, 50.0)),
        "egress_tb_per_month": draw(fl(0.0, 300.0)),
        "egress_per_tb": draw(fl(0.0, 120.0)),
        "support_rate": draw(fl(0.0, 0.1)),
        "staff_fte": draw(fl(0.0, 3.0)),
        "fte_cost_annual": draw(fl(0.0, 300_000.0)),
        "staff_from_table": draw(st.booleans()),
        "monthly_fixed": draw(fl(0.0, 5_000.0)),
        "managed": draw(st.booleans()),
    }
    if draw(st.booleans()):
        d["egress_tiers"] = [
            {"upto_tb": 10, "per_tb": 90.0},
            {"upto_tb": 50, "per_tb": 85.0},
            {"per_tb": draw(fl(0.0, 80.0))},
        ]
    if pricing == "reserved" and draw(st.booleans()):
        d["committed_instances"] = draw(st.integers(0, 20))
        d["on_demand_rate_per_hour"] = draw(small_money)
    return d


@st.composite
def onprem_dict(draw: Any, name: str, cloud_names: list[str], allow_bridge: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {
        "kind": "onprem",
        "name": name,
        "servers": draw(st.integers(1, 12)),
        "server_price": draw(money),
        "gpus_per_server": draw(st.sampled_from([1, 4, 8])),
        "network_capex": draw(fl(0.0, 100_000.0)),
        "network_fraction": draw(fl(0.0, 0.15)),
        "storage_capex": draw(fl(0.0, 50_000.0)),
        "other_capex": draw(fl(0.0, 50_000.0)),
        "lead_time_months": draw(st.integers(0, 8)),
        "depreciation_months": draw(st.integers(12, 72)),
        "residual_fraction": draw(fl(0.0, 1.0)),
        "power_kw_per_server": draw(fl(0.0, 15.0)),
        "idle_power_fraction": draw(fl(0.0, 1.0)),
        "load_factor": draw(fl(0.0, 1.0)),
        "colo_per_kw_month": draw(fl(0.0, 250.0)),
        "colo_includes_power": draw(st.booleans()),
        "maintenance_rate_annual": draw(fl(0.0, 0.2)),
        "staff_fte": draw(fl(0.0, 4.0)),
        "fte_cost_annual": draw(fl(0.0, 300_000.0)),
        "staff_from_table": draw(st.booleans()),
        "opex_annual_per_server": draw(fl(0.0, 20_000.0)),
        "licences_annual": draw(fl(0.0, 50_000.0)),
        "monthly_fixed": draw(fl(0.0, 5_000.0)),
    }
    if draw(st.booleans()):
        d["pue"] = draw(fl(1.0, 2.0))
    if draw(st.booleans()):
        d["electricity_per_kwh"] = draw(fl(0.0, 0.3))
    if draw(st.booleans()):
        d["finance_rate_annual"] = draw(st.sampled_from([0.0, 0.05, 0.12]))
        d["finance_months"] = draw(st.integers(6, 96))
    if allow_bridge and cloud_names and draw(st.booleans()):
        d["bridge_option"] = draw(st.sampled_from(cloud_names))
    return d


@st.composite
def project_dict(draw: Any) -> dict[str, Any]:
    h = draw(st.integers(1, 84))
    n_cloud = draw(st.integers(0, 2))
    clouds = [draw(cloud_dict(f"cloud {i}")) for i in range(n_cloud)]
    cloud_names = [c["name"] for c in clouds if c["kind"] == "cloud"]
    options: list[dict[str, Any]] = list(clouds)
    for i in range(draw(st.integers(0 if n_cloud else 1, 2))):
        options.append(draw(onprem_dict(f"onprem {i}", cloud_names)))
    if draw(st.booleans()):
        on = draw(onprem_dict("x", [], allow_bridge=False))
        on.pop("kind")
        on.pop("name")
        on["servers"] = draw(st.integers(1, 6))
        burst = draw(cloud_dict("y"))
        burst.pop("kind")
        burst.pop("name")
        options.append(
            {
                "kind": "hybrid",
                "name": "hybrid",
                "onprem": on,
                "burst": burst,
                "optimise_split": draw(st.booleans()),
                "staff_fte": draw(fl(0.0, 1.0)),
                "fte_cost_annual": 150_000.0,
            }
        )
    demand = {
        "gpu_hours_per_month": draw(fl(1.0, 50_000.0)),
        "jobs_per_month": draw(st.sampled_from([0, 1, 4, 30, 250])),
        "gpus_per_job": draw(st.sampled_from([0, 1, 8, 16])),
        "growth_annual": draw(fl(-0.5, 1.0)),
        "peak_factor": draw(fl(1.0, 2.0)),
        "regulated_fraction": draw(st.sampled_from([0.0, 0.3, 1.0])),
    }
    if draw(st.booleans()):
        demand["monthly_profile"] = draw(st.lists(fl(0.0, 2.0), min_size=1, max_size=12))
    workloads = [
        {
            "name": f"w{i}",
            "runs_per_month": draw(fl(0.0, 40.0)),
            "gpu_hours_per_run": draw(st.just(0.0) | fl(0.001, 5_000.0)),
            "gpus": draw(st.sampled_from([0, 4, 8, 32])),
            "growth_annual": draw(fl(0.0, 0.5)),
            "pinned_onprem": draw(st.booleans()),
        }
        for i in range(draw(st.integers(0, 2)))
    ]
    return {
        "name": "random",
        "currency": "USD",
        "horizon_months": h,
        "hours_per_month": draw(st.sampled_from([730.0, 720.0])),
        "discount_rate_annual": draw(fl(0.0, 0.2)),
        "electricity_per_kwh": draw(fl(0.0, 0.3)),
        "pue": draw(fl(1.0, 2.0)),
        "mlops_stack": draw(st.lists(st.sampled_from(STACK), unique=True)),
        "fte_point": draw(st.sampled_from(["low", "mid", "high"])),
        "demand": demand,
        "workloads": workloads,
        "options": options,
    }
