"""TCO engine: monthly cash flows per option (cash and amortised views), totals, present value, break-even,
tornado, Monte Carlo and a reasoned recommendation.

Conventions: months are 1..H (H = ``project.horizon_months``); a month has ``project.hours_per_month``
hours (730 by default: 8,760 h a year / 12). Money in the project currency. Cash flows fall at the end of
each month; present value discounts month m by (1 + r_annual)^(m/12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.engine import CancelToken, Progress, check, montecarlo, sensitivity
from planner.engine.cashflow import (
    Params,
    hybrid_flows,
    hybrid_min_servers,
    make_context,
    option_flows,
    totals,
)
from planner.engine.plan import Plan
from planner.engine.plan import plan as solve_plan
from planner.engine.recommend import recommend
from planner.engine.results import (
    BreakEven,
    MonteCarloResult,
    OptionResult,
    TcoResult,
)
from planner.project import CloudOption, HybridOption, OnPremOption, Project

FloatArray = npt.NDArray[np.float64]


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
    return sensitivity.onprem_cost_per_gpu_hour(
        option, utilization, horizon_months, hours_per_month, electricity_per_kwh=electricity_per_kwh, pue=pue
    )
