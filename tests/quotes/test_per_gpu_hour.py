"""The all-in cost per GPU-hour of a quote comes from the TCO engine's on-prem model; checked against
the hand computation in tests/data/quotes/README.md, and fed into a project's TCO ("Use this quote")."""

from __future__ import annotations

import dataclasses

import pytest

from planner.analysis.quotes import (
    DEFAULT_SITE,
    SiteTerms,
    compare_quotes,
    onprem_option_for_quote,
    per_gpu_hour_usd,
    site_terms_from_project,
    use_quote,
)
from planner.engine.tco import evaluate
from planner.project import CloudOption, Demand, OnPremOption, Project
from planner.quotes import quote_hardware
from tests.quotes.expected import ALBION, GPUS, NORTHWIND, RHEINWERK, SERVERS, TODAY

NW = dataclasses.replace(NORTHWIND, lead_time_weeks=None)  # no lead time: every month is live
SITE = OnPremOption(
    name="Site",
    pue=1.5,
    electricity_per_kwh=0.10,
    maintenance_rate_annual=0.10,
    staff_fte=1.0,
    fte_cost_annual=120_000.0,
)
CAPEX = 1_276_900.0
POWER = 40.8 * 1.5 * 730 * 60 * 0.10  # kW × PUE × h/month × months × $/kWh = 268,056
MAINTENANCE = 0.10 * CAPEX * (5 - 3)  # 3 of the 5 years covered by the quoted support = 255,380
STAFF = 120_000.0 * 5  # 600,000
TOTAL = CAPEX + POWER + MAINTENANCE + STAFF  # 2,400,336
GPU_HOURS = 32 * 730 * 60  # 1,401,600 at 100 % utilisation


def test_hand_computed_total_is_what_the_readme_says() -> None:
    assert pytest.approx(268_056.0) == POWER
    assert pytest.approx(255_380.0) == MAINTENANCE
    assert pytest.approx(2_400_336.0) == TOTAL


def test_option_built_from_the_quote() -> None:
    site = SiteTerms(template=SITE, horizon_months=60, utilization=1.0)
    hw = quote_hardware(NORTHWIND, SERVERS, GPUS)
    opt = onprem_option_for_quote(NORTHWIND, hw, site)
    assert (opt.servers, opt.gpus_per_server, opt.gpus) == (4, 8, 32)
    assert opt.capex == pytest.approx(CAPEX)
    assert opt.power_kw_per_server == pytest.approx(10.2)
    assert opt.maintenance_rate_annual == pytest.approx(0.10 * 24 / 60)  # only beyond 3 years of support
    assert opt.lead_time_months == 3  # 10 weeks = 70 days > 2 months of 30.4 days
    assert (opt.pue, opt.electricity_per_kwh, opt.staff_fte) == (1.5, 0.10, 1.0)
    assert opt.vendor == "Northwind Systems" and opt.quote_ref == "NW-Q-88412"


# Albion (2 nodes, no NIC or switch, no support) under the same site: networking is not itemised, so the
# option carries the 12.5 % network allowance (tests/data/quotes/README.md).
AB_CAPEX = 2 * 205_000 * 1.30 * 1.125 + 1_250 * 1.30  # 533,000 + 66,625 allowance + 1,625 shipping = 601,250
AB_POWER = 2 * 10.2 * 1.5 * 730 * 60 * 0.10  # 134,028
AB_MAINTENANCE = 0.10 * AB_CAPEX * 5  # no support included: all 5 years = 300,625
AB_TOTAL = AB_CAPEX + AB_POWER + AB_MAINTENANCE + STAFF  # 1,635,903
AB_GPU_HOURS = 16 * 730 * 60  # 700,800


def test_network_allowance_in_the_option_and_the_per_gpu_hour_figure() -> None:
    assert pytest.approx(601_250.0) == AB_CAPEX
    assert pytest.approx(1_635_903.0) == AB_TOTAL
    site = SiteTerms(template=SITE, horizon_months=60, utilization=1.0)
    hw = quote_hardware(ALBION, SERVERS, GPUS)
    opt = onprem_option_for_quote(ALBION, hw, site)
    assert opt.network_fraction == 0.125 and opt.network_capex == 0.0
    assert opt.capex == pytest.approx(AB_CAPEX)
    assert per_gpu_hour_usd(ALBION, hw, site) == pytest.approx(AB_TOTAL / AB_GPU_HOURS, rel=1e-9)  # 2.33434
    # Northwind itemises its network: no allowance.
    assert (
        onprem_option_for_quote(NORTHWIND, quote_hardware(NORTHWIND, SERVERS, GPUS), site).network_fraction
        == 0
    )


@pytest.mark.parametrize("utilization", [1.0, 0.5])
def test_per_gpu_hour_matches_hand_computation(utilization: float) -> None:
    site = SiteTerms(template=SITE, horizon_months=60, utilization=utilization)
    hw = quote_hardware(NW, SERVERS, GPUS)
    # Power is drawn whatever the use (idle_power_fraction 1 by default), so only the divisor changes.
    assert per_gpu_hour_usd(NW, hw, site) == pytest.approx(TOTAL / (GPU_HOURS * utilization), rel=1e-9)


def test_utilisation_derived_from_the_project_demand() -> None:
    project = Project(
        name="p",
        horizon_months=60,
        demand=Demand(gpu_hours_per_month=32 * 730 * 0.5),
        options=(SITE, CloudOption(name="Cloud H100", rate_per_hour=3.0)),
    )
    site = site_terms_from_project(project)
    assert site.utilization is None and site.demand_gpu_hours_per_month == pytest.approx(11_680.0)
    hw = quote_hardware(NW, SERVERS, GPUS)
    assert per_gpu_hour_usd(NW, hw, site) == pytest.approx(TOTAL / (GPU_HOURS * 0.5), rel=1e-9)


def test_use_this_quote_feeds_the_project_tco() -> None:
    project = Project(
        name="Fine-tuning platform",
        horizon_months=60,
        demand=Demand(gpu_hours_per_month=32 * 730),  # the full cluster, every month
        options=(SITE, CloudOption(name="Cloud H100", rate_per_hour=3.0, rate_unit="gpu")),
    )
    hw = quote_hardware(NW, SERVERS, GPUS)
    fed = use_quote(project, NW, hw)
    assert [o.name for o in fed.options] == ["Northwind Systems NW-Q-88412", "Cloud H100"]
    result = evaluate(fed)
    owned = result.option("Northwind Systems NW-Q-88412")
    assert owned.total == pytest.approx(TOTAL, rel=1e-9)
    assert owned.per_used_gpu_hour == pytest.approx(TOTAL / GPU_HOURS, rel=1e-9)
    cloud = result.option("Cloud H100")
    assert cloud.total == pytest.approx(3.0 * GPU_HOURS)  # 4,204,800: the quote is cheaper
    # The comparison's figure for this quote is the same number the TCO reports.
    figures = compare_quotes([NW], SERVERS, GPUS, today=TODAY, site=site_terms_from_project(project))
    assert figures[0].per_gpu_hour_usd == pytest.approx(owned.per_used_gpu_hour, rel=1e-9)


def test_project_without_onprem_option_uses_sourced_defaults() -> None:
    project = Project(name="p", horizon_months=36, options=(CloudOption(name="c", rate_per_hour=2.0),))
    site = site_terms_from_project(project)
    assert site.template.maintenance_rate_annual == DEFAULT_SITE.template.maintenance_rate_annual
    assert site.utilization == 0.70
    assert any("defaults" in a for a in site.assumptions)


def test_default_site_on_the_incomplete_quote_by_hand() -> None:
    """Albion under DEFAULT_SITE (no project): 36 months, 70 % use, PUE 1.58, $0.13/kWh, maintenance 10 %
    a year over all 3 years (no support quoted), 0.5 FTE at $147,500; its network is not itemised, so the
    12.5 % network allowance on the 533,000 USD of servers is added (66,625 USD)."""
    capex = 411_250 * 1.30 + 0.125 * 410_000 * 1.30  # 534,625 + 66,625 = 601,250 USD
    power = 2 * 10.2 * 1.58 * 730 * 36 * 0.13  # 110,117.40
    maintenance = 0.10 * capex * 3  # 180,375
    staff = 0.5 * 147_500 * 3  # 221,250
    gpu_hours = 16 * 730 * 36 * 0.70  # 294,336
    expected = (capex + power + maintenance + staff) / gpu_hours  # 1,112,992.40 / 294,336 = 3.78135 USD
    figures = compare_quotes([NORTHWIND, RHEINWERK, ALBION], SERVERS, GPUS, today=TODAY)
    assert figures[2].per_gpu_hour_usd == pytest.approx(expected, rel=1e-9)
    assert all(f.per_gpu_hour_usd is not None and f.per_gpu_hour_usd > 0 for f in figures)


def test_loose_gpus_beside_servers_keep_every_gpu() -> None:
    from planner.quotes import QuoteLine

    loose = QuoteLine("NVIDIA H100 SXM spare module", 3, 30_000.0, "gpu", gpu_name="H100 SXM")
    quote = dataclasses.replace(NW, lines=(*NW.lines, loose))
    hw = quote_hardware(quote, SERVERS, GPUS)
    assert hw.gpus == 35 and hw.it_power_kw == pytest.approx(40.8 + 3 * 0.7)
    opt = onprem_option_for_quote(quote, hw, SiteTerms(template=SITE, horizon_months=60, utilization=1.0))
    assert opt.gpus == 35 and opt.capex == pytest.approx(CAPEX + 90_000)


def test_long_lead_time_leaves_fewer_live_months() -> None:
    site = SiteTerms(template=SITE, horizon_months=12, utilization=1.0)
    hw = quote_hardware(NW, SERVERS, GPUS)
    on_time = per_gpu_hour_usd(NW, hw, site)
    late = dataclasses.replace(NW, lead_time_weeks=400)  # capped at horizon − 1: live in month 12 only
    assert onprem_option_for_quote(late, hw, site).lead_time_months == 11
    assert per_gpu_hour_usd(late, hw, site) > 5 * on_time  # the capex is spread over one month of use


def test_an_engine_refusal_becomes_a_warning_not_a_crash() -> None:
    idle = SiteTerms(template=SITE, horizon_months=12, utilization=None, demand_gpu_hours_per_month=0.0)
    [f] = compare_quotes([NW], SERVERS, GPUS, today=TODAY, site=idle)  # utilisation 0: engine says no
    assert f.per_gpu_hour_usd is None
    assert f.warnings[-1].startswith("cost per GPU-hour not computed: utilization must be in (0, 1]")
