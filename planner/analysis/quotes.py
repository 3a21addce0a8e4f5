"""Vendor quotes against the project: each quote as the TCO engine's on-premises option, its all-in cost per
used GPU-hour under the project's site terms, and the project's rented options as references.

This is the one quote comparison: the Quotes view, ``planner quotes compare`` and the proposal's quote
section all read it (through :func:`planner.analysis.analyse` when a project is open). The demand that
sets a quote's utilisation is the analysed demand (workloads resolved), the same the Projects view shows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from planner import HOURS_PER_MONTH
from planner.catalog import Gpu, ServerPlatform
from planner.engine.results import TcoResult
from planner.engine.tco import onprem_cost_per_gpu_hour
from planner.project import CloudOption, HybridOption, OnPremOption, Project
from planner.quotes import (
    NETWORK_ALLOWANCE_FRACTION,
    CapexSplit,
    Quote,
    QuoteFigures,
    QuoteHardware,
    capex_split_usd,
    included_support_years,
    needs_network_allowance,
    quote_figures,
    quote_hardware,
    quote_total,
    usd_per_unit,
)

# --- All-in cost per GPU-hour: the quote as the TCO engine's on-premises option --------------------


@dataclass(frozen=True)
class SiteTerms:
    """How a quoted cluster would be run: the on-prem terms a quote does not state.

    ``template`` carries the site's terms (PUE, $/kWh, colocation, maintenance rate, staff, depreciation,
    residual, financing ...); hardware fields of the template are replaced by the quote's. ``utilization``
    (0..1] None means "derive it from ``demand_gpu_hours_per_month`` against each quote's GPUs".
    ``assumptions`` lists, in words, where each term came from (shown next to the figures).
    ``currency`` is the currency of the template's money terms (the project's); ``usd_to_currency`` converts
    the quotes' USD amounts into it (1 for USD).
    """

    template: OnPremOption
    horizon_months: int
    hours_per_month: float = HOURS_PER_MONTH
    utilization: float | None = None
    demand_gpu_hours_per_month: float = 0.0
    electricity_per_kwh: float = 0.0
    pue: float = 1.0
    assumptions: tuple[str, ...] = ()
    currency: str = "USD"
    usd_to_currency: float = 1.0


DEFAULT_UTILIZATION = 0.70
"""Used when neither a utilisation nor a demand is given: the ~70 % sustained use the break-even rules of
thumb cite (catalog_facts.json rules_of_thumb: RUNLOCALAI, AIDCGUIDE)."""

DEFAULT_SITE = SiteTerms(
    template=OnPremOption(
        name="site defaults",
        pue=1.58,
        electricity_per_kwh=0.13,
        maintenance_rate_annual=0.10,
        staff_fte=0.5,
        fte_cost_annual=147_500.0,
        depreciation_months=36,
    ),
    horizon_months=36,
    utilization=DEFAULT_UTILIZATION,
    assumptions=(
        "PUE 1.58: industry average 2023 (Uptime Institute, "
        "https://intelligence.uptimeinstitute.com/resource/large-data-centers-are-mostly-more-efficient-analysis-confirms)",
        "electricity $0.13/kWh: blended industrial default of chanthaphan/gpu-tco (2026-07)",
        "maintenance 10 % of capex a year beyond the included support "
        "(https://alpineblockchain.com/comparing-cloud-vs-on-prem-hpc-cost-performance; gpu-tco default)",
        "staff 0.5 FTE (0.25 FTE on-call per major on-prem component, compute and network: “Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9) "
        "at $147,500 a year (midpoint of $130-165k, https://www.kore1.com/mlops-engineer-salary-guide)",
        "horizon 36 months, 730 h a month, utilisation 70 % (break-even rules of thumb)",
    ),
)
"""Site terms used when the comparison has no project: each default with its source."""

_SITE_KEYS = (
    "pue",
    "electricity_per_kwh",
    "colo_per_kw_month",
    "colo_includes_power",
    "maintenance_rate_annual",
    "staff_fte",
    "fte_cost_annual",
    "staff_from_table",
    "opex_annual_per_server",
    "licences_annual",
    "monthly_fixed",
    "depreciation_months",
    "residual_fraction",
    "idle_power_fraction",
    "load_factor",
    "finance_rate_annual",
    "finance_months",
    "bridge_option",
    "air_gapped",
)
"""Terms of the project's on-prem option that a quote keeps (everything else comes from the quote)."""


def site_terms_from_project(
    project: Project, *, utilization: float | None = None, usd_to_currency: float = 1.0
) -> SiteTerms:
    """Site terms from a project: its first on-premises option (or hybrid's owned base) for the run terms,
    its horizon, hours a month, PUE and $/kWh, and its demand for the utilisation; ``usd_to_currency``
    converts USD into the project's currency (1 for a USD project). Terms the project
    leaves unset for on-prem (no on-prem option at all) fall back to :data:`DEFAULT_SITE`'s, said so."""
    owned = _first_onprem(project)
    notes: list[str] = []
    if owned is None:
        template = replace(DEFAULT_SITE.template, name="site defaults")
        notes.append("the project has no on-premises option: site terms are the defaults")
        notes.extend(DEFAULT_SITE.assumptions[:4])
    else:
        template = owned
        notes.append(f"site terms from the project's on-prem option {owned.name!r}")
    demand = average_demand_gpu_hours(project)
    if utilization is None and demand <= 0:
        utilization = DEFAULT_UTILIZATION
        notes.append("utilisation 70 %: the project states no demand (break-even rules of thumb)")
    elif utilization is None:
        notes.append(f"utilisation from the project's demand: {demand:,.0f} GPU-hours a month on average")
    electricity = project.electricity_per_kwh
    pue = project.pue
    if owned is None and electricity <= 0:
        electricity = DEFAULT_SITE.template.electricity_per_kwh or 0.0
        pue = DEFAULT_SITE.template.pue or 1.0
    return SiteTerms(
        template=template,
        horizon_months=project.horizon_months,
        hours_per_month=project.hours_per_month,
        utilization=utilization,
        demand_gpu_hours_per_month=demand,
        electricity_per_kwh=electricity,
        pue=pue,
        assumptions=tuple(notes),
        currency=project.currency,
        usd_to_currency=usd_to_currency,
    )


def _first_onprem(project: Project) -> OnPremOption | None:
    for opt in project.options:
        if isinstance(opt, OnPremOption):
            return opt
        if isinstance(opt, HybridOption):
            return opt.onprem
    return None


def average_demand_gpu_hours(project: Project) -> float:
    """Average GPU-hours a month over the horizon from the project's demand and resolved workloads.

    Month m (1-based) = base × (1 + growth)^((m−1)/12) × profile[(m−1) % len(profile)], as in the project
    format; workloads add runs × GPU-hours per run with their own growth.
    """
    d = project.demand
    months = range(project.horizon_months)
    total = 0.0
    for m in months:
        factor = d.monthly_profile[m % len(d.monthly_profile)] if d.monthly_profile else 1.0
        total += d.gpu_hours_per_month * (1.0 + d.growth_annual) ** (m / 12.0) * factor
        for w in project.workloads:
            if w.gpu_hours_per_run is not None:
                total += w.runs_per_month * w.gpu_hours_per_run * (1.0 + w.growth_annual) ** (m / 12.0)
    return total / project.horizon_months


def quote_utilization(site: SiteTerms, gpus: int) -> float:
    """Utilisation (0..1] of a quoted cluster of ``gpus`` GPUs: the site's, or demand / capacity capped at 1."""
    if site.utilization is not None:
        return site.utilization
    capacity = gpus * site.hours_per_month
    return min(1.0, site.demand_gpu_hours_per_month / capacity) if capacity > 0 else 0.0


def maintenance_beyond_support(rate_annual: float, support_years: float, horizon_months: int) -> float:
    """Maintenance rate (fraction of capex a year) spread over the whole horizon so that its total equals
    ``rate_annual`` × capex × the years of the horizon NOT covered by the support the quote includes.

    The engine charges maintenance evenly every month; with S months of included support over an H-month
    horizon the equivalent flat rate is rate × max(0, H − S) / H (same horizon total, earlier timing).
    """
    covered = min(float(horizon_months), support_years * 12.0)
    return rate_annual * (horizon_months - covered) / horizon_months


def onprem_option_for_quote(quote: Quote, hardware: QuoteHardware, site: SiteTerms) -> OnPremOption:
    """The on-premises option a quote describes, run under ``site``'s terms (in ``site.currency``).

    Servers, per-server price (GPU servers and loose GPUs), network capex (NICs, switches, optics),
    storage and other capex (support, installation, shipping, other) come from the quote, discounts
    spread pro rata; a multi-node quote without NIC or switch lines gets the network allowance
    (``network_fraction`` = :data:`NETWORK_ALLOWANCE_FRACTION` of server capex); power per server from
    :func:`quote_hardware`; lead time = weeks × 7 / (365/12) days
    rounded up to whole months; maintenance only beyond the quote's included support.
    """
    if hardware.gpus <= 0:
        raise ValueError(f"quote {quote.label!r} has no GPUs mapped to the catalog")
    split = capex_split_usd(quote)
    fx = site.usd_to_currency
    split = CapexSplit(split.hardware * fx, split.network * fx, split.other * fx)
    storage = math.fsum(x.amount for x in quote.lines if x.kind == "storage") * usd_per_unit(quote) * fx
    gross = math.fsum(x.amount for x in quote.lines if x.kind != "discount")
    keep = quote_total(quote) / gross if gross > 0 else 0.0
    storage *= keep
    servers = hardware.servers or 1
    if hardware.gpus % servers:  # loose GPUs beside servers: one unit holding all, same totals
        servers = 1
    gpus_per_server = max(1, hardware.gpus // servers)
    lead_months = (
        0 if quote.lead_time_weeks is None else math.ceil(quote.lead_time_weeks * 7 / (365 / 12) - 1e-9)
    )
    values: dict[str, Any] = {key: getattr(site.template, key) for key in _SITE_KEYS}
    values["maintenance_rate_annual"] = maintenance_beyond_support(
        site.template.maintenance_rate_annual or 0.0, included_support_years(quote), site.horizon_months
    )
    values["bridge_option"] = None
    name = quote.label or quote.vendor
    return replace(
        site.template,
        name=name,
        servers=servers,
        server_price=split.hardware / servers,
        gpus_per_server=gpus_per_server,
        network_capex=split.network,
        network_fraction=NETWORK_ALLOWANCE_FRACTION if needs_network_allowance(quote, hardware) else 0.0,
        storage_capex=storage,
        other_capex=split.other - storage,
        lead_time_months=min(lead_months, site.horizon_months - 1),
        power_kw_per_server=hardware.it_power_kw / servers,
        vendor=quote.vendor,
        quote_ref=quote.quote_number,
        source_url=quote.source_file,
        as_of=quote.quote_date.isoformat(),
        notes=f"from quote {name}",
        **values,
    )


def per_gpu_hour_usd(quote: Quote, hardware: QuoteHardware, site: SiteTerms) -> float:
    """All-in USD per used GPU-hour over the site's horizon: the TCO engine's on-prem model
    (:func:`planner.engine.tco.onprem_cost_per_gpu_hour`) on :func:`onprem_option_for_quote`."""
    option = onprem_option_for_quote(quote, hardware, site)
    utilization = quote_utilization(site, option.gpus)
    in_currency = onprem_cost_per_gpu_hour(
        option,
        utilization,
        site.horizon_months,
        site.hours_per_month,
        electricity_per_kwh=site.electricity_per_kwh,
        pue=site.pue,
    )
    return in_currency / site.usd_to_currency


def compare_quotes(
    quotes: Sequence[Quote],
    servers: Mapping[str, ServerPlatform],
    gpus: Mapping[str, Gpu],
    *,
    today: dt.date,
    site: SiteTerms | None = DEFAULT_SITE,
) -> list[QuoteFigures]:
    """Figures of every quote, in order; ``site`` None skips the per-GPU-hour figure."""
    out: list[QuoteFigures] = []
    for quote in quotes:
        hardware = quote_hardware(quote, servers, gpus)
        hourly = None
        problem = ""
        if site is not None and hardware.gpus > 0:
            try:
                hourly = per_gpu_hour_usd(quote, hardware, site)
            except ValueError as exc:  # e.g. a lead time that leaves no live month in the horizon
                problem = f"cost per GPU-hour not computed: {exc}"
        figures = quote_figures(quote, hardware, today=today, per_gpu_hour_usd=hourly)
        if problem:
            figures = replace(figures, warnings=(*figures.warnings, problem))
        out.append(figures)
    return out


def use_quote(
    project: Project, quote: Quote, hardware: QuoteHardware, site: SiteTerms | None = None
) -> Project:
    """ "Use this quote": the project with the quote as its on-premises option.

    The first standalone on-prem option is replaced (its site terms are kept by the quote's option);
    a project without one gets the quote's option appended. Hybrids keep their own owned base.
    """
    terms = site or site_terms_from_project(project)
    option = onprem_option_for_quote(quote, hardware, terms)
    options = list(project.options)
    index = next((i for i, o in enumerate(options) if isinstance(o, OnPremOption)), None)
    taken = {o.name for i, o in enumerate(options) if i != index}
    name = option.name
    n = 2
    while name in taken:
        name = f"{option.name} ({n})"
        n += 1
    option = replace(option, name=name, bridge_option=_bridge(options, index))
    if index is None:
        options.append(option)
    else:
        options[index] = option
    return replace(project, options=tuple(options))


def _bridge(options: Sequence[Any], index: int | None) -> str | None:
    """Keep the replaced option's bridge to a cloud option while the hardware is on its way."""
    if index is None:
        return None
    replaced = options[index]
    return replaced.bridge_option if isinstance(replaced, OnPremOption) else None


@dataclass(frozen=True)
class CloudReference:
    """A rented option of the project as a reference for the quotes: USD per used GPU-hour.

    ``basis`` says how it was found: "TCO engine" (all-in per used GPU-hour at the project's demand) or
    "rate" (the option's rate per GPU-hour after premium and discount, when the engine could not run).
    """

    name: str
    usd_per_gpu_hour: float
    basis: str


def cloud_rate_per_gpu_hour(option: CloudOption) -> float:
    """Rate per GPU-hour of a cloud option (currency of the project) after managed premium and discount."""
    rate = option.rate_per_hour * (1.0 + option.managed_premium) * (1.0 - option.discount)
    return rate / option.gpus_per_instance if option.rate_unit == "instance" else rate


def cloud_references(
    project: Project, usd_to_currency: float = 1.0, tco: TcoResult | None = None
) -> list[CloudReference]:
    """The project's cloud and managed-Kubernetes options in USD per used GPU-hour: the TCO engine's
    figure at the project's demand (``tco``, the analysis's evaluation) when there is one, else the
    option's effective rate."""
    clouds = [o for o in project.options if isinstance(o, CloudOption)]
    if not clouds:
        return []
    engine_figures: dict[str, float] = {}
    for r in tco.options if tco is not None else ():
        if r.per_used_gpu_hour is not None and math.isfinite(r.per_used_gpu_hour):
            engine_figures[r.name] = r.per_used_gpu_hour
    out = []
    for o in clouds:
        if o.name in engine_figures:
            out.append(CloudReference(o.name, engine_figures[o.name] / usd_to_currency, "TCO engine"))
        else:
            out.append(CloudReference(o.name, cloud_rate_per_gpu_hour(o) / usd_to_currency, "rate"))
    return out
