"""The benchmark project: 20 options of every kind over 60 months, with Monte Carlo ranges (shared by the
Monte Carlo oracle test and tests/bench/test_bench_tco.py)."""

from __future__ import annotations

from typing import Any

from planner.project import Project, parse_project


def bench_project(horizon: int = 60) -> Project:
    opts: list[dict[str, Any]] = []
    for i in range(8):
        d: dict[str, Any] = {
            "kind": "cloud",
            "name": f"cloud {i}",
            "rate_per_hour": 20.0 + 10 * i,
            "rate_unit": "instance",
            "gpus_per_instance": 8,
            "pricing": ["on_demand", "spot", "savings_plan", "reserved"][i % 4],
            "billing_increment_s": [1, 30, 60, 3600][i % 4],
            "min_billing_s": 60 * (i % 2),
            "storage_tb": 20,
            "storage_per_tb_month": 20.0,
            "egress_tb_per_month": 30,
            "egress_tiers": [{"upto_tb": 10, "per_tb": 90}, {"upto_tb": 50, "per_tb": 85}, {"per_tb": 70}],
            "support_rate": 0.03,
            "staff_fte": 0.5,
            "fte_cost_annual": 190000,
        }
        if d["pricing"] == "spot":
            d["spot_overhead"] = 0.1
        if d["pricing"] == "savings_plan":
            d["discount"] = 0.3
        if d["pricing"] == "reserved":
            d["committed_instances"] = 3
            d["on_demand_rate_per_hour"] = 98.32
        opts.append(d)
    for i in range(2):
        opts.append(
            {
                "kind": "managed_k8s",
                "name": f"k8s {i}",
                "rate_per_hour": 49.24 + i,
                "rate_unit": "instance",
                "gpus_per_instance": 8,
                "staff_from_table": True,
                "fte_cost_annual": 190000,
                "monthly_fixed": 73.0,
            }
        )
    onprem = {
        "server_price": 310000,
        "gpus_per_server": 8,
        "power_kw_per_server": 10.2,
        "network_fraction": 0.12,
        "depreciation_months": 60,
        "residual_fraction": 0.2,
        "pue": 1.3,
        "colo_per_kw_month": 184.06,
        "maintenance_rate_annual": 0.1,
        "staff_from_table": True,
        "fte_cost_annual": 190000,
        "idle_power_fraction": 0.3,
        "load_factor": 0.8,
    }
    for i in range(6):
        d = {
            "kind": "onprem",
            "name": f"onprem {i}",
            "servers": 2 + 2 * i,
            **onprem,
            "lead_time_months": i % 3,
        }
        if i % 3:
            d["bridge_option"] = "cloud 0"
        if i % 2:
            d["finance_rate_annual"] = 0.07
            d["finance_months"] = 48
        opts.append(d)
    for i in range(4):
        opts.append(
            {
                "kind": "hybrid",
                "name": f"hybrid {i}",
                "optimise_split": False,
                "onprem": {**onprem, "servers": 2 + 2 * i},
                "burst": {
                    "rate_per_hour": 25.66 + i,
                    "rate_unit": "instance",
                    "gpus_per_instance": 8,
                    "pricing": "spot",
                    "spot_overhead": 0.1,
                },
            }
        )
    return parse_project(
        {
            "name": "benchmark",
            "currency": "USD",
            "horizon_months": horizon,
            "electricity_per_kwh": 0.0981,
            "pue": 1.58,
            "discount_rate_annual": 0.08,
            "mlops_stack": ["fine_tuning", "experiment_tracking", "model_registry"],
            "demand": {
                "gpu_hours_per_month": 60000,
                "jobs_per_month": 80,
                "gpus_per_job": 16,
                "growth_annual": 0.2,
                "regulated_fraction": 0.05,
            },
            "workloads": [
                {"name": "serving", "runs_per_month": 1, "gpu_hours_per_run": 8 * 730, "pinned_onprem": True},
                {"name": "fine-tunes", "runs_per_month": 30, "gpu_hours_per_run": 64, "gpus": 8},
            ],
            "monte_carlo": [
                {"path": "demand.scale", "low": 0.7, "high": 1.4},
                {"path": "electricity_per_kwh", "low": 0.06, "high": 0.19},
                {"path": "fte_cost_annual", "low": 130000, "high": 260000},
                {"path": "options.*.server_price", "low": 280000, "high": 350000},
                {"path": "options.*.residual_fraction", "low": 0.1, "high": 0.35, "dist": "uniform"},
                {"path": "options.cloud 1.rate_per_hour", "low": 21.0, "high": 30.3, "dist": "uniform"},
            ],
            "options": opts,
        }
    )
