"""Owned options that leave power, network, maintenance and staff unset are costed on sourced defaults,
each listed in the analysis inputs with its source; a 0 the user writes stays 0; the staffing-table
checkbox adds the table's FTEs at a cost. Expected totals are worked by hand below, from the figures the
sources give (not from the code's output)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from planner.analysis import MemoryCatalog, analyse
from planner.catalog import ServerPlatform
from planner.project import parse_project
from tests.dates import TODAY

DGX = ServerPlatform(
    vendor="NVIDIA",
    model="DGX H100",
    gpu_name="H100 SXM",
    gpu_count=8,
    cpu="2x Xeon 8480C",
    ram_gb=2048,
    nvme_tb=30.72,
    network="InfiniBand NDR 400G x8",
    max_power_kw=10.2,
    list_price_usd=270000,
    source_url="https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html",
    as_of=dt.date(2026, 6, 1),
)
CATALOG = MemoryCatalog.of(servers=[DGX])
NAME = "Rack of 1x DGX H100"


def _project(onprem: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    opt = {"kind": "onprem", "name": NAME, "servers": 1, "server_price": 100_000, "gpus_per_server": 8}
    opt.update(onprem or {})
    d: dict[str, Any] = {
        "name": "defaults",
        "currency": "USD",
        "horizon_months": 12,
        "electricity_per_kwh": 0.10,
        "pue": 1.0,
        "demand": {"gpu_hours_per_month": 1000},
        "options": [opt],
    }
    d.update(top)
    return d


def _total(d: dict[str, Any], name: str = NAME) -> float:
    a = analyse(parse_project(d), CATALOG, today=TODAY, samples=0)
    return a.tco.option(name).total


def test_unset_owned_terms_are_costed_on_the_sourced_defaults() -> None:
    # By hand, 12 months of 730 h, 1 server at 100,000:
    #   capital      100,000 × (1 + 12.5 % network)              = 112,500
    #   maintenance  112,500 × 10 % a year × 1 year              =  11,250
    #   electricity  10.2 kW (DGX H100 rated) × PUE 1 × 730 h × 0.10 × 12 = 8,935.20
    #   staff        0.5 FTE (on-call, compute + network) × 147,500 a year = 73,750
    #   total                                                     = 206,435.20
    assert _total(_project()) == pytest.approx(206_435.20, abs=0.01)


def test_each_default_is_listed_with_its_source() -> None:
    a = analyse(parse_project(_project()), CATALOG, today=TODAY, samples=0)
    got = {i.path.rsplit(".", 1)[-1]: i for i in a.inputs if i.source == "default"}
    assert set(got) == {
        "power_kw_per_server", "network_fraction", "maintenance_rate_annual", "staff_fte", "fte_cost_annual",
    }  # fmt: skip
    assert got["power_kw_per_server"].value == 10.2 and "DGX H100" in got["power_kw_per_server"].note
    assert got["network_fraction"].value == 0.125 and "V2PSEO" in got["network_fraction"].note
    assert (
        got["maintenance_rate_annual"].value == 0.10
        and "alpineblockchain" in got["maintenance_rate_annual"].note
    )
    assert got["staff_fte"].value == 0.5 and "On-Premises" in got["staff_fte"].note
    assert got["fte_cost_annual"].value == 147_500 and "kore1" in got["fte_cost_annual"].note
    # the effective project carries them, the file as given does not
    eff = a.effective.option(NAME)
    assert eff.maintenance_rate_annual == 0.10  # type: ignore[union-attr]
    assert a.project.option(NAME).maintenance_rate_annual is None  # type: ignore[union-attr]


def test_a_zero_written_by_the_user_stays_zero() -> None:
    zeros = {"power_kw_per_server": 0, "network_fraction": 0, "maintenance_rate_annual": 0, "staff_fte": 0}
    # nothing but the 100,000 of capital: no default replaces a written 0
    assert _total(_project(zeros)) == pytest.approx(100_000.0, abs=0.01)
    a = analyse(parse_project(_project(zeros)), CATALOG, today=TODAY, samples=0)
    assert not [i for i in a.inputs if i.source == "default"]


def test_itemised_network_capex_replaces_the_network_share() -> None:
    # network 5,000 itemised: capital 105,000; maintenance 10,500; power 8,935.20; staff 73,750 = 198,185.20
    assert _total(_project({"network_capex": 5000})) == pytest.approx(198_185.20, abs=0.01)


def test_staffing_table_checkbox_adds_the_tables_ftes_at_the_default_cost() -> None:
    fixed = {"power_kw_per_server": 0, "network_fraction": 0, "maintenance_rate_annual": 0}
    stack = {"mlops_stack": ["fine_tuning"], "fte_point": "mid"}
    off = _total(_project(dict(fixed, staff_fte=1), **stack))
    on = _total(_project(dict(fixed, staff_fte=1, staff_from_table=True), **stack))
    # On-premises row of the §9 table: fine-tuning 2–4 FTE, midpoint 3, plus 0.25 FTE on-call for the one
    # component = 3.25 FTE, at 147,500 a year for 12 months = 479,375.
    assert on - off == pytest.approx(479_375.0, abs=0.01)
    # off: 100,000 capital + 1 typed FTE × 147,500
    assert off == pytest.approx(247_500.0, abs=0.01)


def test_staffing_checkbox_on_a_cloud_option_costs_its_ftes() -> None:
    cloud = {"kind": "cloud", "name": "GPU cloud", "rate_per_hour": 2.0, "rate_unit": "gpu"}
    d = _project(mlops_stack=["fine_tuning"])
    d["options"] = [cloud]
    plain = _total(d, "GPU cloud")
    d["options"] = [dict(cloud, staff_from_table=True)]
    staffed = _total(d, "GPU cloud")
    # bare cloud VMs take the managed-Kubernetes row: fine-tuning 1–2 FTE, midpoint 1.5, × 147,500 = 221,250
    assert plain == pytest.approx(1000 * 2.0 * 12, abs=0.01)
    assert staffed - plain == pytest.approx(221_250.0, abs=0.01)


def test_no_named_platform_leaves_power_unset_and_says_so() -> None:
    d = _project()
    d["options"][0]["name"] = "Own rack"
    a = analyse(parse_project(d), CATALOG, today=TODAY, samples=0)
    assert any("Own rack" in w and "power per server" in w for w in a.warnings)
    # 112,500 + 11,250 + 73,750, no electricity
    assert a.tco.option("Own rack").total == pytest.approx(197_500.0, abs=0.01)
