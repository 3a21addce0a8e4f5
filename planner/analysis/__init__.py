"""One analysis of a project: every number that leaves the product comes from :func:`analyse`.

The Projects view, ``planner tco``, ``planner export`` (the PDF and its workbook), the Reports view, the
Quotes view and ``planner quotes compare --project`` all call it and only format what it returns. Policy
is decided here, once: when Monte Carlo runs and with which samples and seed, which memory figure counts
(the engine's device figure against the GPU's memory less headroom), which demand sets a quote's
utilisation (the analysed demand, workloads resolved), which figures are sourced from the catalog.

Pure: no Qt, no SQL. The catalog reaches it through :class:`planner.analysis.catalog.CatalogSource`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from planner.analysis.catalog import EMPTY_CATALOG, CatalogSource, MemoryCatalog
from planner.analysis.defaults import fill_defaults
from planner.analysis.quotes import (
    DEFAULT_SITE,
    CloudReference,
    SiteTerms,
    cloud_references,
    compare_quotes,
    site_terms_from_project,
)
from planner.analysis.resolve import FitRow, WorkloadMemory, resolve_workloads
from planner.catalog import is_stale
from planner.compliance import Regime, applicable, shipped_regimes
from planner.engine import CancelToken, Progress, check
from planner.engine.cashflow import egress_cost
from planner.engine.results import TcoResult
from planner.engine.tco import evaluate, onprem_cost_per_gpu_hour
from planner.project import (
    CloudOption,
    HybridOption,
    OnPremOption,
    Option,
    Project,
    ProjectError,
    check_samples,
)
from planner.quotes import Quote, QuoteFigures, best_by_criterion
from planner.staffing import deployment_model_for, fte_for

__all__ = [
    "DEFAULT_SITE",
    "MONTE_CARLO_SAMPLES",
    "MONTE_CARLO_SEED",
    "Analysis",
    "BreakEvenMark",
    "CatalogSource",
    "FitRow",
    "MemoryCatalog",
    "ProjectError",
    "QuoteComparison",
    "ResolvedInput",
    "SourcedFigure",
    "UtilisationSeries",
    "WorkloadMemory",
    "analyse",
    "compare_without_project",
]

FloatArray = npt.NDArray[np.float64]

MONTE_CARLO_SAMPLES = 2000
"""Samples of every analysis that runs Monte Carlo (the window, the CLI and the proposal alike)."""
MONTE_CARLO_SEED = 20240601
"""The generator seed of every analysis: the same project gives the same percentiles everywhere."""

UTIL_GRID = np.linspace(0.05, 1.0, 20)
MAX_UTIL_OWNED = 4
MAX_UTIL_RENTED = 4

InputSource = Literal["typed", "estimate", "staffing table", "engine", "default", "converted"]

PRICE_FIELDS: dict[type, tuple[str, ...]] = {
    CloudOption: (
        "rate_per_hour", "on_demand_rate_per_hour", "egress_per_tb", "storage_per_tb_month", "monthly_fixed",
    ),
    OnPremOption: (
        "server_price", "network_capex", "storage_capex", "other_capex", "opex_annual_per_server",
        "licences_annual", "monthly_fixed",
    ),
}  # fmt: skip
"""The money fields an option's ``currency`` applies to (its prices); staff and site terms are the project's."""
FX_GAP_WARN_DAYS = 30
"""A rate this many days older than the price it converts is named in the warnings."""


@dataclass(frozen=True)
class Conversion:
    """One currency conversion the analysis made: ``option``'s prices at 1 ``base`` = ``rate`` ``quote``,
    published ``as_of`` by ``source``, for prices dated ``price_date`` (``gap_days`` apart)."""

    option: str
    base: str
    quote: str
    rate: float
    as_of: dt.date
    source: str
    price_date: dt.date
    gap_days: int


@dataclass(frozen=True)
class ResolvedInput:
    """An input the analysis filled in or changed, and where its value came from."""

    path: str
    value: float | int | str
    source: InputSource
    note: str = ""


@dataclass(frozen=True)
class UtilisationSeries:
    """Cost per used GPU-hour over utilisation (owned options), or a flat rate (rented options)."""

    name: str
    owned: bool
    utilisation: FloatArray
    cost_per_gpu_hour: FloatArray
    flat_rate: float


@dataclass(frozen=True)
class BreakEvenMark:
    """Where an owned option's cost per used GPU-hour meets a rented one's."""

    owned: str
    rented: str
    utilisation: float
    cost_per_gpu_hour: float


@dataclass(frozen=True)
class SourcedFigure:
    """A catalog figure behind the analysis, with its source and date (``stale``: older than 12 months)."""

    label: str
    value: str
    source_url: str
    as_of: dt.date
    stale: bool


@dataclass(frozen=True)
class QuoteComparison:
    """Stored vendor quotes under the project's site terms, with the project's rented options beside them."""

    figures: tuple[QuoteFigures, ...]
    site: SiteTerms
    references: tuple[CloudReference, ...]
    best: dict[str, int]
    demand_gpu_hours_per_month: float


@dataclass(frozen=True)
class Analysis:
    """Everything a view shows for one project, computed once.

    ``project`` is the file as given; ``resolved`` the project the engine evaluated (workloads' GPU-hours
    filled in); ``effective`` the same with every term the engine derived written in (a hybrid's chosen
    number of owned servers, staff FTE from the staffing table, financing months), and ``inputs`` lists
    those terms with their source. ``tco`` is the engine's result; ``monte_carlo`` presence follows
    ``samples``.
    """

    project: Project
    resolved: Project
    effective: Project
    today: dt.date
    samples: int
    seed: int
    tco: TcoResult
    workloads: tuple[WorkloadMemory, ...]
    hardware_fit: tuple[FitRow, ...]
    hardware_note: str
    utilisation: tuple[UtilisationSeries, ...]
    break_even_marks: tuple[BreakEvenMark, ...]
    catalog_figures: tuple[SourcedFigure, ...]
    inputs: tuple[ResolvedInput, ...]
    quotes: QuoteComparison | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    conversions: tuple[Conversion, ...] = ()
    regimes: tuple[Regime, ...] = ()
    """The regulations that apply to the client's data where the client is (planner.compliance), cited by
    the proposal with their official texts — GDPR for health data in Germany, HIPAA in the United States."""

    @property
    def currency(self) -> str:
        return self.resolved.currency

    def yearly_cash(self) -> dict[str, tuple[float, ...]]:
        """Each option's cash by year of the horizon (months 1–12, 13–24, …; the last year may be short)."""
        return {
            o.name: tuple(float(o.monthly[i : i + 12].sum()) for i in range(0, len(o.monthly), 12))
            for o in self.tco.options
        }

    @property
    def stale_figures(self) -> tuple[SourcedFigure, ...]:
        return tuple(f for f in self.catalog_figures if f.stale)

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``planner tco --json`` shape: the engine's result plus what the analysis adds."""
        out = self.tco.to_json()
        out["analysis"] = {
            "today": self.today.isoformat(),
            "samples": self.samples,
            "seed": self.seed,
            "workloads": [
                {
                    "name": w.name,
                    "method": w.method,
                    "model": w.model,
                    "gpu": w.gpu,
                    "gpus": w.gpus,
                    "runs_per_month": w.runs_per_month,
                    "gpu_hours_per_run": round(w.gpu_hours_per_run, 4),
                    "gpu_hours_source": w.hours_source,
                    "memory_gb_per_gpu": None
                    if w.memory_gb_per_gpu is None
                    else round(w.memory_gb_per_gpu, 3),
                    "capacity_gb": w.capacity_gb,
                    "fits": w.fits,
                }
                for w in self.workloads
            ],
            "inputs": [
                {"path": i.path, "value": i.value, "source": i.source, "note": i.note} for i in self.inputs
            ],
            "conversions": [
                {
                    "option": c.option,
                    "pair": f"{c.base}/{c.quote}",
                    "rate": c.rate,
                    "as_of": c.as_of.isoformat(),
                    "source": c.source,
                    "price_date": c.price_date.isoformat(),
                    "gap_days": c.gap_days,
                }
                for c in self.conversions
            ],  # fmt: skip
            "catalog_figures": [
                {
                    "label": f.label,
                    "value": f.value,
                    "source_url": f.source_url,
                    "as_of": f.as_of.isoformat(),
                    "stale": f.stale,
                }
                for f in self.catalog_figures
            ],  # fmt: skip
            "quotes": None
            if self.quotes is None
            else [
                {
                    "id": f.quote.id,
                    "vendor": f.quote.vendor,
                    "quote_number": f.quote.quote_number,
                    "per_gpu_hour_usd": None if f.per_gpu_hour_usd is None else round(f.per_gpu_hour_usd, 4),
                    "expired": f.expired,
                }
                for f in self.quotes.figures
            ],
        }
        return out


def analyse(
    project: Project,
    catalog: CatalogSource = EMPTY_CATALOG,
    *,
    today: dt.date,
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
    quotes: Sequence[Quote] | None = None,
    quote_utilization: float | None = None,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Resolve, evaluate and explain ``project``. Raises ProjectError naming the key of what cannot be.

    ``samples`` 0 skips Monte Carlo (the window's fast first pass); every other figure is the same.
    ``quotes`` (stored vendor quotes) are compared under the project's site terms, at the utilisation the
    project's demand gives each quoted cluster, or at ``quote_utilization`` (0..1] when one is given.
    """
    check_samples(project, samples)
    priced, conversions, conversion_inputs = _convert_prices(project, catalog, today)
    priced, filled, default_warnings = fill_defaults(priced, catalog, today)
    default_inputs = [ResolvedInput(path, value, "default", source) for path, value, source in filled]
    resolved = resolve_workloads(priced, catalog)
    check(cancel)
    try:
        tco = evaluate(
            resolved.project, samples=samples, seed=seed, plan=True, cancel=cancel, progress=progress
        )
    except (ValueError, ArithmeticError) as exc:
        if isinstance(exc, ProjectError):
            raise
        raise ProjectError(f"cannot be evaluated: {exc}", key="options") from None
    check(cancel)
    effective, option_inputs = _effective(resolved.project, tco)
    inputs = (*conversion_inputs, *default_inputs, *_workload_inputs(resolved.workloads), *option_inputs)
    util, marks = _utilisation(resolved.project, tco, cancel)
    fit = resolved.fit
    note = ""
    if not any(w.estimate is not None for w in project.workloads):
        note = "No workload carries a memory estimate (GPU-hours were given directly), so no GPU fit was computed."
    elif not fit:
        note = "The GPU catalog is not available, so no GPU fit was computed."
    comparison = None
    if quotes is not None:
        comparison = _compare(resolved.project, tco, catalog, quotes, today, quote_utilization)
    return Analysis(
        project=project,
        resolved=resolved.project,
        effective=effective,
        today=today,
        samples=samples,
        seed=seed,
        tco=tco,
        workloads=resolved.workloads,
        hardware_fit=fit,
        hardware_note=note,
        utilisation=util,
        break_even_marks=marks,
        catalog_figures=(
            *_catalog_figures(resolved.project, catalog, today),
            *_rate_figures(conversions, today),
        ),
        inputs=inputs,
        quotes=comparison,
        warnings=(*default_warnings, *tco.warnings, *_gap_warnings(conversions)),
        conversions=conversions,
        regimes=regimes_for(project),
    )


FLAG_REGIMES = {"fedramp": "fedramp_moderate"}
"""Project compliance flags named otherwise in the regime data: FedRAMP without an impact level is cited as
FedRAMP Moderate, the baseline most cloud authorisations hold."""
UNKNOWN_COUNTRY = "ZZ"
"""ISO 3166 user-assigned code: no country given, so only the project's compliance flags select regimes."""


def regimes_for(project: Project) -> tuple[Regime, ...]:
    """The regulations that apply: by the project's compliance flags anywhere, and by its data categories
    in its country (ProjectError naming the key when the data cannot be matched)."""
    try:
        return applicable(
            shipped_regimes(),
            country=project.country or UNKNOWN_COUNTRY,
            data_categories=sorted(project.data_categories),
            flags=sorted(FLAG_REGIMES.get(f, f) for f in project.compliance),
        )
    except ValueError as exc:
        raise ProjectError(str(exc), key="data_categories") from None


# ------------------------------------------------------------------------------------------------- money


def _price_date(opt: Option, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(opt.as_of) if opt.as_of else today
    except ValueError:
        return today


def _convert_one(
    opt: Any, path: str, currency: str, catalog: CatalogSource, today: dt.date, name: str
) -> tuple[Any, list[Conversion], list[ResolvedInput]]:
    if not opt.currency or opt.currency == currency:
        return replace(opt, currency=""), [], []
    when = _price_date(opt, today)
    try:
        fx = catalog.fx_rate(opt.currency, currency, when)
    except LookupError as exc:
        raise ProjectError(
            f"its prices are in {opt.currency} and the catalog has no {opt.currency}/{currency} rate on or before "
            f"{when.isoformat()} ({str(exc).strip(chr(39) + chr(34))}): import exchange rates or state the prices in "
            f"{currency}",
            key=path + "currency",
            option=name,
        ) from None
    changes: dict[str, float] = {}
    notes: list[ResolvedInput] = []
    for key in PRICE_FIELDS.get(type(opt), ()):
        value = getattr(opt, key)
        if value:
            changes[key] = float(value) * fx.rate
            notes.append(
                ResolvedInput(path + key, round(changes[key], 6), "converted",
                              f"{value:g} {opt.currency} at {fx.rate:.6g} {currency}/{opt.currency} of {fx.as_of}")
            )  # fmt: skip
    if isinstance(opt, CloudOption) and opt.egress_tiers:
        changes["egress_tiers"] = tuple((upto, price * fx.rate) for upto, price in opt.egress_tiers)  # type: ignore[assignment]
    conversion = Conversion(name, opt.currency, currency, fx.rate, fx.as_of, fx.source_url or "catalog FX table",
                            when, (when - fx.as_of).days)  # fmt: skip
    return replace(opt, currency="", **changes), [conversion], notes


def _convert_prices(
    project: Project, catalog: CatalogSource, today: dt.date
) -> tuple[Project, tuple[Conversion, ...], list[ResolvedInput]]:
    """Every option's prices in the project's currency, each conversion at the rate as of the price's date."""
    options: list[Option] = []
    conversions: list[Conversion] = []
    notes: list[ResolvedInput] = []
    cur = project.currency
    for opt in project.options:
        path = f"options.{opt.name}."
        if isinstance(opt, HybridOption):
            owned, c1, n1 = _convert_one(opt.onprem, path + "onprem.", cur, catalog, today, opt.name)
            burst, c2, n2 = _convert_one(opt.burst, path + "burst.", cur, catalog, today, opt.name)
            options.append(replace(opt, onprem=owned, burst=burst, currency=""))
            conversions += c1 + c2
            notes += n1 + n2
        else:
            new, c, n = _convert_one(opt, path, cur, catalog, today, opt.name)
            options.append(new)
            conversions += c
            notes += n
    return replace(project, options=tuple(options)), tuple(conversions), notes


def _rate_figures(conversions: Sequence[Conversion], today: dt.date) -> tuple[SourcedFigure, ...]:
    """Each exchange rate used, once, as a sourced figure of the proposal."""
    seen: dict[tuple[str, str, float, dt.date], list[str]] = {}
    by_key: dict[tuple[str, str, float, dt.date], Conversion] = {}
    for c in conversions:
        key = (c.base, c.quote, c.rate, c.as_of)
        seen.setdefault(key, []).append(c.option)
        by_key[key] = c
    return tuple(
        SourcedFigure(
            label=f"Exchange rate {c.base} to {c.quote}",
            value=f"1 {c.base} = {c.rate:.4f} {c.quote}; converts the prices of "
            + ", ".join(dict.fromkeys(names)),
            source_url=c.source,
            as_of=c.as_of,
            stale=is_stale(c.as_of, today),
        )
        for key, names in seen.items()
        for c in [by_key[key]]
    )


def _gap_warnings(conversions: Sequence[Conversion]) -> list[str]:
    return [
        f"{c.option}: the {c.base}/{c.quote} rate of {c.as_of.isoformat()} converts prices dated "
        f"{c.price_date.isoformat()}, {c.gap_days} days later"
        for c in conversions
        if c.gap_days > FX_GAP_WARN_DAYS
    ]


# ----------------------------------------------------------------------------------------- effective terms


def _workload_inputs(rows: Sequence[WorkloadMemory]) -> list[ResolvedInput]:
    return [
        ResolvedInput(f"workloads.{w.name}.gpu_hours_per_run", round(w.gpu_hours_per_run, 4), "estimate")
        for w in rows
        if w.hours_source == "estimate"
    ]


def _staffed(
    opt: Any, project: Project, kind: str, managed: bool, path: str
) -> tuple[Any, list[ResolvedInput]]:
    if not opt.staff_from_table:
        return opt, []
    table = fte_for(
        deployment_model_for(kind, managed), project.mlops_stack, project.fte_point, project.staffing_table
    )
    typed = opt.staff_fte or 0.0
    fte = typed + table
    note = f"{typed:g} typed + {table:g} from the staffing table" if typed else ""
    return replace(opt, staff_fte=fte, staff_from_table=False), [
        ResolvedInput(path + "staff_fte", round(fte, 4), "staffing table", note)
    ]


def _effective_option(opt: Option, project: Project, tco: TcoResult) -> tuple[Option, list[ResolvedInput]]:
    """The option with the terms the engine derives written in (staffing as planner.engine.cashflow
    staffs each part: a cloud option by its kind, owned capacity and hybrids as on-premises)."""
    path = f"options.{opt.name}."
    notes: list[ResolvedInput] = []
    if isinstance(opt, HybridOption):
        own, n0 = _staffed(opt, project, "hybrid", False, path)
        owned, n1 = _effective_onprem(opt.onprem, project, path + "onprem.")
        burst, n2 = _staffed(opt.burst, project, "cloud", opt.burst.managed, path + "burst.")
        chosen = tco.option(opt.name).details.get("servers")
        if isinstance(chosen, int | float) and int(chosen) != owned.servers:
            notes.append(ResolvedInput(path + "onprem.servers", int(chosen), "engine", "the cheapest split"))
            owned = replace(owned, servers=int(chosen))
        return replace(own, onprem=owned, burst=burst), [*n0, *notes, *n1, *n2]
    if isinstance(opt, OnPremOption):
        return _effective_onprem(opt, project, path)
    if isinstance(opt, CloudOption):
        out, notes = _staffed(opt, project, opt.kind, opt.managed, path)
        if out.egress_tiers and out.egress_tb_per_month > 0:
            blended = float(egress_cost(out, out.egress_tb_per_month)) / out.egress_tb_per_month
            notes.append(ResolvedInput(path + "egress_per_tb", round(blended, 6), "engine",
                                       f"the tiers' blended rate at {out.egress_tb_per_month:g} TB a month"))  # fmt: skip
            out = replace(out, egress_per_tb=blended)
        return out, notes
    return opt, notes


def _effective_onprem(
    opt: OnPremOption, project: Project, path: str
) -> tuple[OnPremOption, list[ResolvedInput]]:
    out, notes = _staffed(opt, project, "onprem", False, path)
    if out.finance_rate_annual is not None and out.finance_months is None:
        out = replace(out, finance_months=out.depreciation_months)
        notes.append(
            ResolvedInput(
                path + "finance_months", out.depreciation_months, "default", "the depreciation life"
            )
        )
    return out, notes


def _effective(project: Project, tco: TcoResult) -> tuple[Project, list[ResolvedInput]]:
    options: list[Option] = []
    inputs: list[ResolvedInput] = []
    for opt in project.options:
        eff, notes = _effective_option(opt, project, tco)
        options.append(eff)
        inputs.extend(notes)
    return replace(project, options=tuple(options)), inputs


# ------------------------------------------------------------------------------------------- chart series


def _owned(project: Project, tco: TcoResult) -> list[OnPremOption]:
    owned: list[OnPremOption] = []
    for opt in project.options:
        if isinstance(opt, OnPremOption):
            owned.append(opt)
        elif isinstance(opt, HybridOption):
            servers = tco.option(opt.name).details.get("servers", opt.onprem.servers)
            owned.append(replace(opt.onprem, name=opt.name, servers=max(1, int(servers))))
    return owned


def _utilisation(
    project: Project, tco: TcoResult, cancel: CancelToken | None
) -> tuple[tuple[UtilisationSeries, ...], tuple[BreakEvenMark, ...]]:
    """Cost per used GPU-hour over utilisation for the cheapest owned options; flat rates of rented ones."""
    totals = {o.name: o.total for o in tco.options}
    owned = sorted(_owned(project, tco), key=lambda o: totals.get(o.name, 0.0))[:MAX_UTIL_OWNED]
    series: list[UtilisationSeries] = []
    curves: dict[str, FloatArray] = {}
    for opt in owned:
        check(cancel)
        costs = np.array(
            [
                onprem_cost_per_gpu_hour(
                    opt,
                    float(u),
                    project.horizon_months,
                    project.hours_per_month,
                    electricity_per_kwh=project.electricity_per_kwh,
                    pue=project.pue,
                )
                for u in UTIL_GRID
            ]
        )
        curves[opt.name] = costs
        series.append(UtilisationSeries(opt.name, True, UTIL_GRID.copy(), costs, 0.0))
    kinds = {o.name: o for o in project.options}
    rented = [
        o
        for o in tco.options
        if isinstance(kinds.get(o.name), CloudOption) and o.per_used_gpu_hour is not None
    ]
    rented.sort(key=lambda o: o.per_used_gpu_hour or 0.0)
    for o in rented[:MAX_UTIL_RENTED]:
        series.append(
            UtilisationSeries(o.name, False, np.zeros(0), np.zeros(0), float(o.per_used_gpu_hour or 0.0))
        )
    shown = {s.name for s in series}
    marks: list[BreakEvenMark] = []
    for b in tco.break_even:
        if b.utilization is None or b.a not in curves or b.b not in shown:
            continue
        marks.append(
            BreakEvenMark(
                b.a, b.b, float(b.utilization), float(np.interp(b.utilization, UTIL_GRID, curves[b.a]))
            )
        )
    return tuple(series), tuple(marks)


# ---------------------------------------------------------------------------------------- catalog, quotes


def _catalog_figures(project: Project, catalog: CatalogSource, today: dt.date) -> tuple[SourcedFigure, ...]:
    """Catalog GPUs the project's workloads name, with source, as-of date and staleness."""
    names = {w.gpu for w in project.workloads if w.gpu}
    names |= {str(w.estimate.get("gpu")) for w in project.workloads if w.estimate and w.estimate.get("gpu")}
    out: list[SourcedFigure] = []
    for name in sorted(names):
        try:
            g = catalog.gpu(name)
        except LookupError:
            continue
        price = (
            f"{g.price_low_usd:,.0f}–{g.price_high_usd:,.0f} USD"
            if g.price_low_usd is not None and g.price_high_usd is not None
            else "no price"
        )
        power = f"{g.tdp_w:g} W" if g.tdp_w is not None else "power not published"
        out.append(
            SourcedFigure(
                label=f"{g.vendor} {g.name}",
                value=f"{g.memory_gb:g} GB, {g.bf16_dense_tflops:g} TFLOPS BF16, {power}; {price}",
                source_url=g.source_url,
                as_of=g.as_of,
                stale=is_stale(g.as_of, today),
            )
        )
    return tuple(out)


def _usd_to(catalog: CatalogSource, currency: str, today: dt.date) -> float:
    if currency == "USD":
        return 1.0
    try:
        return catalog.fx_rate("USD", currency, today).rate
    except LookupError as exc:
        raise ProjectError(f"quotes are priced in USD here and {exc}", key="currency") from None


def _compare(
    project: Project,
    tco: TcoResult,
    catalog: CatalogSource,
    quotes: Sequence[Quote],
    today: dt.date,
    utilization: float | None,
) -> QuoteComparison:
    factor = _usd_to(catalog, project.currency, today)
    demand = float(tco.demand_gpu_hours.mean()) if tco.demand_gpu_hours.size else 0.0
    site = site_terms_from_project(project, utilization=utilization, usd_to_currency=factor)
    gpus = {g.name: g for g in catalog.gpus()}
    figures = compare_quotes(quotes, catalog.servers(), gpus, today=today, site=site)
    return QuoteComparison(
        figures=tuple(figures),
        site=site,
        references=tuple(cloud_references(project, factor, tco)),
        best=best_by_criterion(figures),
        demand_gpu_hours_per_month=demand,
    )


def compare_without_project(
    quotes: Sequence[Quote], catalog: CatalogSource, *, today: dt.date, utilization: float | None = None
) -> QuoteComparison:
    """Quotes under the default site terms (each with its source) when no project is open."""
    site = DEFAULT_SITE if utilization is None else replace(DEFAULT_SITE, utilization=utilization)
    gpus = {g.name: g for g in catalog.gpus()}
    figures = compare_quotes(quotes, catalog.servers(), gpus, today=today, site=site)
    return QuoteComparison(tuple(figures), site, (), best_by_criterion(figures), 0.0)
