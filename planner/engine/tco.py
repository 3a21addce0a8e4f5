"""TCO engine: monthly cash flows per option (cash and amortised views), totals, present value, break-even,
tornado, Monte Carlo and a reasoned recommendation.

Conventions: months are 1..H (H = ``project.horizon_months``); a month has ``project.hours_per_month``
hours (730 by default: 8,760 h a year / 12). Money in the project currency. Cash flows fall at the end of
each month; present value discounts month m by (1 + r_annual)^(m/12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.engine import CancelToken, Progress, check
from planner.engine.plan import Plan
from planner.engine.reasons import OptionStatus, Reason
from planner.project import CloudOption, HybridOption, OnPremOption, Project

FloatArray = npt.NDArray[np.float64]


@dataclass
class OptionResult:
    """One option over the horizon. Arrays have one value per month (index 0 = month 1), currency units.

    ``monthly``/``cumulative``: cash view; ``monthly_amortised``/``cumulative_amortised``: capex replaced by
    straight-line depreciation of capex × (1 − residual) over the depreciation life, plus, in the last month of a
    horizon shorter than that life, the loss on disposal (book value left − residual value), so that both views
    credit the same residual value at the horizon end. ``total``/``total_amortised``: sums over the horizon;
    ``present_value``: cash
    flows discounted at the project rate. ``per_used_gpu_hour``: total ÷ GPU-hours actually served.
    ``idle_cost``: money spent on owned or committed capacity left unused. ``breakdown``: monthly cash per
    term. ``utilization``: served ÷ owned capacity per month (owned options; None otherwise).
    ``served_gpu_hours``: GPU-hours delivered per month. ``details``: option-specific figures (e.g. the
    hybrid's chosen number of owned servers).
    """

    name: str
    kind: str
    monthly: FloatArray
    cumulative: FloatArray
    monthly_amortised: FloatArray
    cumulative_amortised: FloatArray
    total: float
    total_amortised: float
    present_value: float
    per_used_gpu_hour: float | None
    idle_cost: float
    breakdown: dict[str, FloatArray]
    utilization: FloatArray | None
    served_gpu_hours: FloatArray
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BreakEven:
    """Between options ``a`` and ``b``: ``month`` is the first month (1-based) in which cumulative cash cost
    of ``a`` ≤ that of ``b`` (None if never within the horizon; 1 if ``a`` is never dearer). ``utilization``
    is the average utilisation (0..1) of the owned one at which its cost per used GPU-hour equals the rented
    one's (only for owned-vs-rented pairs; None otherwise or if above 100 %)."""

    a: str
    b: str
    month: int | None
    utilization: float | None


@dataclass(frozen=True)
class TornadoBar:
    """Horizon total of ``option`` with ``input`` set to ``low_value`` / ``high_value`` (all else fixed)."""

    input: str
    option: str
    low_total: float
    high_total: float
    low_value: float
    high_value: float
    base_total: float = 0.0

    @property
    def swing(self) -> float:
        return abs(self.high_total - self.low_total)


@dataclass
class MonteCarloResult:
    """Monte Carlo over the project's input ranges. ``totals`` has shape (samples, options) in the order of
    ``names``; ``p10``/``p50``/``p90`` and ``prob_cheapest`` are keyed by option name."""

    names: list[str]
    totals: FloatArray
    p10: dict[str, float]
    p50: dict[str, float]
    p90: dict[str, float]
    prob_cheapest: dict[str, float]
    inputs: list[str]
    seed: int
    prob_eligible: dict[str, float] = field(default_factory=dict)
    """Share of samples in which each option is a plan serving all that sample's demand."""
    plan: dict[str, float] | None = None
    """The optimised plan's P10/P50/P90, probability cheapest and share of samples served (when computed)."""
    plan_totals: FloatArray | None = None
    regret: dict[str, float] | None = None
    """Of the recommendation: total minus the cheapest eligible (mean, P90, max) and the share of samples in
    which it is not eligible."""

    @property
    def samples(self) -> int:
        return int(self.totals.shape[0])


@dataclass(frozen=True)
class Recommendation:
    """The plan recommended (``option``), its ``kind`` (cloud | onprem | managed_k8s | hybrid, as the option's
    own kind), the architecture in words (``label``, e.g. "Cloud (spot instances)"), the structured reasons
    (``explained``) and warnings (``cautions``, :mod:`planner.engine.reasons`) and the key numbers behind
    them. ``reasons`` words ``explained`` then ``cautions`` (:func:`planner.explain.explain`)."""

    option: str
    kind: str
    label: str
    explained: tuple[Reason, ...]
    key_numbers: dict[str, float | int | str | None]
    rules_fired: tuple[str, ...] = ()
    cautions: tuple[Reason, ...] = ()
    currency: str = "USD"
    plan: dict[str, float] = field(default_factory=dict)
    """Share of the optimal plan's GPU-hours per option (planner.engine.plan), when it was computed."""

    @property
    def reasons(self) -> list[str]:
        from planner.explain import explain

        return [explain(r, self.currency) for r in (*self.explained, *self.cautions)]


@dataclass
class TcoResult:
    """Everything the UI, the CLI and the PDF show for one project evaluation."""

    months: npt.NDArray[np.int64]
    options: list[OptionResult]
    break_even: list[BreakEven]
    tornado: list[TornadoBar]
    monte_carlo: MonteCarloResult | None
    recommendation: Recommendation | None
    warnings: list[str]
    demand_gpu_hours: FloatArray
    currency: str = "USD"
    hours_per_month: float = 730.0
    statuses: Mapping[str, OptionStatus] = field(default_factory=dict)
    """Per option: whether it is a plan (complete, serving all demand, compliant) and why not."""
    blocked_by: tuple[Reason, ...] = ()
    """When ``recommendation`` is None: why, and the smallest changes that would make a plan."""
    plan: Plan | None = None
    """The optimiser's plan over the project's candidates (``evaluate(..., plan=True)``)."""

    def option(self, name: str) -> OptionResult:
        for o in self.options:
            if o.name == name:
                return o
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The CLI ``--json`` shape: options (name, kind, total, monthly, cumulative, per_used_gpu_hour,
        breakdown ...), break_even, recommendation, warnings, plus tornado and monte_carlo."""
        return _result_to_json(self)


def evaluate(
    project: Project,
    *,
    samples: int = 0,
    seed: int = 0,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    plan: bool = False,
) -> TcoResult:
    """Evaluate every option of ``project`` (workloads must be resolved: :func:`planner.analysis.analyse` resolves them).

    ``plan`` also solves the plan optimiser (:func:`planner.engine.plan.plan`) over the options as candidates.
    ``samples`` > 0 runs a Monte Carlo over ``project.monte_carlo`` ranges (or default ±tornado_fraction
    ranges when none are given) with generator ``seed``. ``cancel``/``progress`` follow planner.engine's
    protocol (progress: 0..1 over the whole evaluation; Monte Carlo is most of it).
    """
    from planner.engine import montecarlo, sensitivity
    from planner.engine.cashflow import (
        Params,
        hybrid_flows,
        hybrid_min_servers,
        make_context,
        option_flows,
        totals,
    )
    from planner.engine.recommend import recommend

    def report(x: float) -> None:
        if progress is not None:
            progress(min(1.0, max(0.0, x)))

    h = project.horizon_months
    months = np.arange(1, h + 1)
    disc = np.power(1.0 + project.discount_rate_annual, -months / 12.0)
    ones = np.ones(h)
    ctx = make_context(project, Params())
    demand = ctx.total_demand[0]
    warnings: list[str] = []
    fixed: dict[str, dict[str, Any]] = {}
    results: list[OptionResult] = []
    for opt in project.options:
        check(cancel)
        if isinstance(opt, HybridOption):
            n_min = hybrid_min_servers(opt, ctx)
            n_max = opt.onprem.servers  # the user's maximum: never exceeded
            if n_min > n_max:
                warnings.append(
                    f"{opt.name}: pinned demand needs {n_min} owned servers but at most {n_max} are allowed: "
                    "the hybrid cannot serve it"
                )
            if opt.optimise_split:
                cands = np.arange(min(n_min, n_max), n_max + 1, dtype=np.float64).reshape(-1, 1)
                tot = totals(hybrid_flows(opt, ctx, f"options.{opt.name}.", servers=cands), ones)
                n_best = int(cands[int(np.argmin(np.broadcast_to(tot, (cands.shape[0],)))), 0])
            else:
                n_best = n_max
            fixed[opt.name] = {"servers": n_best}
        flows = option_flows(opt, ctx, fixed.get(opt.name), project.options)
        if "committed_instances" in flows.details:
            fixed[opt.name] = {"committed_instances": flows.details["committed_instances"]}
        results.append(_option_result(opt, flows, h, ones, disc))
        warnings.extend(_option_warnings(project, opt, flows, results[-1]))
    report(0.05)
    base_totals = {r.name: r.total for r in results}

    check(cancel)
    be_util = sensitivity.break_even_utilizations(project, break_even_pairs(project, fixed))
    break_even: list[BreakEven] = []
    for a in results:
        for b in results:
            if a.name == b.name:
                continue
            u = be_util.get((a.name, b.name), be_util.get((b.name, a.name)))
            break_even.append(
                BreakEven(a.name, b.name, sensitivity.break_even_month(a.cumulative, b.cumulative), u)
            )
    report(0.1)
    check(cancel)
    bars = sensitivity.tornado(project, base_totals, fixed, cancel)
    report(0.2)

    peak = _peak_gpus(project, ctx.streams, demand)
    decision = recommend(project, results, be_util, peak, demand)
    best_plan: Plan | None = None
    rec = decision.recommendation
    if plan:
        from planner.engine.plan import plan as solve_plan

        check(cancel)
        best_plan = solve_plan(project)
        if rec is not None and best_plan.feasible:
            rec = replace(rec, plan=best_plan.shares())
    mc: MonteCarloResult | None = None
    if samples > 0:
        ranges = list(project.monte_carlo) or montecarlo.default_ranges(project, project.tornado_fraction)
        if not project.monte_carlo:
            warnings.append(
                f"no Monte Carlo ranges in the project: used the default ±{project.tornado_fraction:.0%} "
                "triangular ranges on demand, the power price, server prices, residual value and staff cost "
                "(each drawn once for all options) and on each cloud rate"
            )
        draws, labels = montecarlo.sample_inputs(project, ranges, samples, seed)
        tot, serves = montecarlo.run_totals_served(
            project, draws, samples, fixed, cancel=cancel, progress=lambda x: report(0.2 + 0.8 * x)
        )
        names = [o.name for o in project.options]
        is_plan = np.array([decision.statuses[n].plan for n in names], dtype=bool)
        eligible = serves & is_plan[None, :]
        plan_stats: dict[str, float] | None = None
        plan_tot: FloatArray | None = None
        all_tot, all_ok = tot, eligible
        if best_plan is not None and best_plan.feasible:
            plan_tot, plan_ok = montecarlo.plan_totals(project, best_plan, draws, samples)
            all_tot = np.hstack([tot, plan_tot[:, None]])
            all_ok = np.hstack([eligible, plan_ok[:, None]])
        plan_key = "\x00plan"  # never an option's name
        summary = montecarlo.summarise_plans([*names, plan_key][: all_tot.shape[1]], all_tot, all_ok)
        if plan_tot is not None:
            plan_stats = {k: summary[k].pop(plan_key) for k in summary}
        mc = MonteCarloResult(
            names=names,
            totals=tot,
            p10=summary["p10"],
            p50=summary["p50"],
            p90=summary["p90"],
            prob_cheapest=summary["prob_cheapest"],
            inputs=labels,
            seed=seed,
            prob_eligible=summary["prob_eligible"],
            plan=plan_stats,
            plan_totals=plan_tot,
            regret=None if rec is None else montecarlo.regret(all_tot, all_ok, names.index(rec.option)),
        )
    report(1.0)
    return TcoResult(
        months=months,
        options=results,
        break_even=break_even,
        tornado=bars,
        monte_carlo=mc,
        recommendation=rec,
        warnings=warnings,
        demand_gpu_hours=demand,
        currency=project.currency,
        hours_per_month=project.hours_per_month,
        statuses=dict(decision.statuses),
        blocked_by=decision.blocked_by,
        plan=best_plan,
    )


def break_even_pairs(
    project: Project, fixed: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, OnPremOption, list[CloudOption]]]:
    """Each owned fleet (on-premises option, or hybrid base at its chosen ``fixed`` servers) under its option's
    name, with the rented options it is compared with: every cloud/managed option, plus the hybrid's burst."""
    pairs: list[tuple[str, OnPremOption, list[CloudOption]]] = []
    rented = [o for o in project.options if isinstance(o, CloudOption)]
    for opt in project.options:
        if isinstance(opt, OnPremOption):
            pairs.append((opt.name, opt, list(rented)))
        elif isinstance(opt, HybridOption):
            owned = replace(opt.onprem, servers=int(fixed[opt.name]["servers"]))
            pairs.append((opt.name, owned, [*rented, opt.burst]))
    return pairs


def _peak_gpus(project: Project, streams: list[Any], demand: FloatArray) -> float:
    """Accelerators needed at once: the largest job, or the peak month's average load × peak factor."""
    by_jobs = max((float(s.gpus_per_job) for s in streams), default=0.0)
    by_load = (
        float(demand.max()) / project.hours_per_month * project.demand.peak_factor if demand.size else 0.0
    )
    return max(by_jobs, by_load)


def _option_result(opt: Any, flows: Any, h: int, ones: FloatArray, disc: FloatArray) -> OptionResult:
    from planner.engine.cashflow import totals

    breakdown = {k: t.monthly(h)[0].copy() for k, t in flows.cash.items()}
    for key in [
        k for k in breakdown if k.endswith(("_busy", "_usage"))
    ]:  # one line per term in the breakdown
        main = key.rsplit("_", 1)[0]
        breakdown[main] = breakdown.get(main, 0.0) + breakdown.pop(key)
    monthly = np.sum(list(breakdown.values()), axis=0) if breakdown else np.zeros(h)
    amort = (
        np.sum([t.monthly(h)[0] for t in flows.amortised.values()], axis=0)
        if flows.amortised
        else np.zeros(h)
    )
    served = flows.served[0] * np.ones(h)
    total = float(totals(flows, ones)[0])
    used = float(served.sum())
    util = None if flows.utilization is None else np.asarray(flows.utilization[0] * np.ones(h))
    details = {
        k: (float(np.asarray(v).reshape(-1)[0]) if np.size(v) == 1 else np.asarray(v).reshape(-1))
        for k, v in flows.details.items()
    }
    return OptionResult(
        name=opt.name,
        kind=opt.kind,
        monthly=monthly,
        cumulative=np.cumsum(monthly),
        monthly_amortised=amort,
        cumulative_amortised=np.cumsum(amort),
        total=total,
        total_amortised=float(totals(flows, ones, amortised=True)[0]),
        present_value=float(totals(flows, disc)[0]),
        per_used_gpu_hour=(total / used) if used > 0 else None,
        idle_cost=float(np.asarray(flows.idle).reshape(-1)[0]),
        breakdown=breakdown,
        utilization=util,
        served_gpu_hours=served,
        details=details,
    )


def _option_warnings(project: Project, opt: Any, flows: Any, res: OptionResult) -> list[str]:
    out: list[str] = []
    if flows.unserved is not None:
        miss = float(np.maximum(flows.unserved[0], 0.0).sum())
        if miss > 0.5:
            months = np.nonzero(flows.unserved[0] > 1e-6)[0] + 1
            out.append(
                f"{opt.name}: {miss:,.0f} GPU-hours of demand are not served (months {months[0]}–{months[-1]}): "
                "capacity too small or hardware not yet live; add servers, a cloud option to bridge the lead time, or a hybrid"
            )
    if isinstance(opt, OnPremOption) and opt.lead_time_months > 0 and opt.bridge_option is None:
        out.append(
            f"{opt.name}: {opt.lead_time_months}-month lead time with no cloud option to bridge it: that demand is unserved"
        )
    return out


def onprem_cost_per_gpu_hour(
    option: OnPremOption,
    utilization: float,
    horizon_months: int,
    hours_per_month: float = 730.0,
    *,
    electricity_per_kwh: float = 0.0,
    pue: float = 1.0,
) -> float:
    """Cash cost (currency) per GPU-hour actually used of an owned option run at a flat ``utilization``
    (0 < u ≤ 1) over ``horizon_months``: the same cash-flow model as :func:`evaluate`, with demand set to
    u × capacity. ``electricity_per_kwh``/``pue`` are used when the option leaves its own unset."""
    from planner.engine.sensitivity import onprem_cost_per_gpu_hour as impl

    return impl(
        option, utilization, horizon_months, hours_per_month, electricity_per_kwh=electricity_per_kwh, pue=pue
    )


def _json_array(a: FloatArray | None) -> list[float] | None:
    return None if a is None else [round(float(x), 2) for x in a]


def _reason_json(r: Reason, currency: str) -> dict[str, Any]:
    from planner.explain import explain

    return {**r.to_json(), "text": explain(r, currency)}


def _recommendation_json(rec: Recommendation | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {
        "option": rec.option,
        "kind": rec.kind,
        "label": rec.label,
        "reasons": list(rec.reasons),
        "explained": [_reason_json(r, rec.currency) for r in rec.explained],
        "cautions": [_reason_json(r, rec.currency) for r in rec.cautions],
        "key_numbers": rec.key_numbers,
        "rules_fired": list(rec.rules_fired),
        "plan": {k: round(v, 4) for k, v in rec.plan.items()},
    }


def _plan_json(pl: Plan) -> dict[str, Any]:
    """Per option and month: servers owned and bought, reserved instances by term, GPU-hours by pricing, cost."""
    h = len(next(iter(pl.cost.values()))) if pl.cost else 0
    by: dict[str, dict[str, Any]] = {}

    def entry(option: str) -> dict[str, Any]:
        return by.setdefault(option, {"gpu_hours": {}, "cost": _json_array(pl.cost.get(option, np.zeros(h)))})

    for name, arr in pl.servers.items():
        e = entry(pl.source_option[name])
        e["servers_owned"] = [int(x) for x in arr]
        e["servers_bought"] = [int(x) for x in pl.bought[name]]
    for name, arr in pl.reserved.items():
        e = entry(pl.source_option[name])
        e.setdefault("reserved_instances", []).append(
            {"term_months": pl.terms[name], "active": [int(x) for x in arr]}
        )
    for name, arr in pl.gpu_hours.items():
        e = entry(pl.source_option[name])
        kind = pl.source_kind.get(name, "owned")
        prev = e["gpu_hours"].get(kind)
        e["gpu_hours"][kind] = _json_array(arr if prev is None else np.asarray(prev) + arr)
    return {
        "status": pl.status,
        "metric": pl.metric,
        "objective": None if not pl.feasible else round(pl.objective, 2),
        "total": None if not pl.feasible else round(pl.total, 2),
        "liability_after_horizon": round(pl.liability, 2),
        "options": by,
    }


def _result_to_json(result: TcoResult) -> dict[str, Any]:
    cur = result.currency
    options = []
    for o in result.options:
        options.append(
            {
                "name": o.name,
                "kind": o.kind,
                "total": round(o.total, 2),
                "total_amortised": round(o.total_amortised, 2),
                "present_value": round(o.present_value, 2),
                "per_used_gpu_hour": None if o.per_used_gpu_hour is None else round(o.per_used_gpu_hour, 4),
                "idle_cost": round(o.idle_cost, 2),
                "monthly": _json_array(o.monthly),
                "cumulative": _json_array(o.cumulative),
                "monthly_amortised": _json_array(o.monthly_amortised),
                "cumulative_amortised": _json_array(o.cumulative_amortised),
                "breakdown": {k: _json_array(v) for k, v in o.breakdown.items()},
                "breakdown_totals": {k: round(float(v.sum()), 2) for k, v in o.breakdown.items()},
                "utilization": None if o.utilization is None else [round(float(x), 4) for x in o.utilization],
                "served_gpu_hours": round(float(o.served_gpu_hours.sum()), 2),
                "details": {
                    k: (v if isinstance(v, int | float | str) else _json_array(v))
                    for k, v in o.details.items()
                },
            }
        )
    out: dict[str, Any] = {
        "currency": result.currency,
        "hours_per_month": result.hours_per_month,
        "months": [int(m) for m in result.months],
        "demand_gpu_hours": _json_array(result.demand_gpu_hours),
        "options": options,
        "break_even": [
            {
                "a": b.a,
                "b": b.b,
                "month": b.month,
                "utilization": None if b.utilization is None else round(b.utilization, 4),
            }
            for b in result.break_even
        ],
        "recommendation": _recommendation_json(result.recommendation),
        "recommendation_blocked_by": [_reason_json(r, cur) for r in result.blocked_by],
        "plan": None if result.plan is None else _plan_json(result.plan),
        "option_status": {
            name: {"plan": st.plan, "why": [_reason_json(r, cur) for r in st.why]}
            for name, st in result.statuses.items()
        },
        "tornado": [
            {
                "input": t.input,
                "option": t.option,
                "low_value": t.low_value,
                "high_value": t.high_value,
                "low_total": round(t.low_total, 2),
                "high_total": round(t.high_total, 2),
                "base_total": round(t.base_total, 2),
            }
            for t in result.tornado
        ],
        "warnings": list(result.warnings),
    }
    if result.monte_carlo is not None:
        mc = result.monte_carlo
        out["monte_carlo"] = {
            "samples": mc.samples,
            "seed": mc.seed,
            "inputs": mc.inputs,
            "p10": {k: round(v, 2) for k, v in mc.p10.items()},
            "p50": {k: round(v, 2) for k, v in mc.p50.items()},
            "p90": {k: round(v, 2) for k, v in mc.p90.items()},
            "prob_cheapest": {k: round(v, 4) for k, v in mc.prob_cheapest.items()},
            "prob_eligible": {k: round(v, 4) for k, v in mc.prob_eligible.items()},
            "plan": None if mc.plan is None else {k: round(v, 4) for k, v in mc.plan.items()},
            "regret": None if mc.regret is None else {k: round(v, 4) for k, v in mc.regret.items()},
        }
    return out
