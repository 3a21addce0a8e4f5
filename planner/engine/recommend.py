"""The recommendation: which evaluated options are plans, which plan is cheapest, and why — as structured
reasons (:mod:`planner.engine.reasons`), worded by :func:`planner.engine.explain.explain`.

An option is a *plan* only if it is complete (every price it needs is given), serves all the demand in every
month, and is compliant. Those are constraints, never dropped:

- Compliance (source document "AI Model Training Services", decision boundary 1): regulated demand — the
  demand flagged regulated (``demand.regulated_fraction``, ``workloads[].regulated``), or all the demand when
  the project names ``compliance`` regimes and flags nothing — runs only on capacity certified for every
  regime: owned hardware, or a cloud option whose ``certifications`` cover the regimes; classified and
  air-gapped data only on air-gapped owned hardware. This includes a bridge option during a lead time and a
  hybrid's burst. Latency-pinned workloads (``pinned_onprem``) run on owned hardware only.
- No in-house MLOps team (``mlops_team`` false; decision boundary 4): managed services only.

The scale rule (boundary 2) and the utilisation rule (boundary 3) are reasons and warnings with their
figures, not filters. Plans are ranked by present value when the project sets a discount rate, else by cash
total. When no option is a plan there is no recommendation: ``blocked_by`` says so and names the smallest
changes that would make one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from planner.compliance import Offering, may_process, region_country, shipped_regimes, shipped_regions
from planner.engine import reasons as R
from planner.engine.cashflow import Params, make_context, onprem_flows, totals
from planner.engine.reasons import OptionStatus, Reason
from planner.engine.results import Recommendation
from planner.project import (
    CloudOption,
    HybridOption,
    ManagedK8sOption,
    OnPremOption,
    Option,
    Project,
)
from planner.staffing import DEPLOYMENT_MODELS, DeploymentModel, fte_for

STRICT_REGIMES = frozenset({"classified", "air_gapped"})
SEED_BREAK_EVEN_BAND = (0.50, 0.70)
"""Break-even utilisation band the sources cite: 60–70 % (source 001, boundary 3), 50–60 % (source 002 §10)."""
UNSERVED_TOLERANCE_GPU_HOURS = 0.01
"""Shortfall (GPU-hours over the horizon) below which float noise is not counted as unserved demand."""
MAX_EXTRA_SERVER_SEARCH = 4096
"""Largest fleet the "one more server" search tries."""


def architecture_label(opt: Option, project: Project) -> str:
    """Architecture in the words of the source document's scenario table."""
    if isinstance(opt, HybridOption):
        return "Hybrid (on-premises base + cloud burst)"
    if isinstance(opt, OnPremOption):
        if opt.air_gapped:
            return "On-premises (air-gapped)"
        return "On-premises"
    if isinstance(opt, ManagedK8sOption):
        return "Managed Kubernetes"
    if opt.certifications and project.compliance and opt.certifications >= project.compliance:
        return "Private cloud (certified)"
    if opt.pricing == "spot":
        return "Cloud (spot instances)"
    if opt.managed or opt.managed_premium > 0:
        return "Cloud (managed service)"
    return "Cloud"


def _is_managed_service(opt: Option) -> bool:
    """A managed ML service (SageMaker, Vertex AI, Azure ML): flagged ``managed`` or priced with a premium."""
    return (
        isinstance(opt, CloudOption)
        and not isinstance(opt, ManagedK8sOption)
        and (opt.managed or opt.managed_premium > 0)
    )


@dataclass(frozen=True)
class Regulation:
    """What the project's rules require of where demand runs."""

    regimes: frozenset[str]
    strict: bool
    regulated_gpu_hours_per_month: float
    all_regulated: bool
    latency_gpu_hours_per_month: float

    @property
    def any_regulated(self) -> bool:
        return self.all_regulated or self.regulated_gpu_hours_per_month > 0

    @property
    def owned_only_gpu_hours_per_month(self) -> float:
        """Demand that runs on owned hardware only: latency-pinned, and regulated with no regime named."""
        regulated = 0.0 if self.regimes else self.regulated_gpu_hours_per_month
        return self.latency_gpu_hours_per_month + regulated


def regulation(project: Project) -> Regulation:
    """Regulated and latency-pinned demand of ``project`` (month-1 GPU-hours a month)."""
    d = project.demand
    flagged = d.gpu_hours_per_month * d.regulated_fraction + sum(
        w.runs_per_month * (w.gpu_hours_per_run or 0.0) for w in project.workloads if w.regulated
    )
    latency = sum(
        w.runs_per_month * (w.gpu_hours_per_run or 0.0)
        for w in project.workloads
        if w.pinned_onprem and not w.regulated
    )
    all_regulated = bool(project.compliance) and flagged <= 0
    return Regulation(
        regimes=project.compliance,
        strict=bool(owned_needs_air_gap(project.compliance)),
        regulated_gpu_hours_per_month=flagged,
        all_regulated=all_regulated,
        latency_gpu_hours_per_month=latency,
    )


LEGACY_REGIMES = frozenset({"hipaa", "fedramp", "itar", "classified", "air_gapped"})
"""Regimes checked by certification codes on the options (``certifications`` ⊇ the regimes); any other
regime code (e.g. ``gdpr_health``) is checked with its rules in resources/compliance/regimes.toml."""


def cloud_verdicts(regimes: frozenset[str], cloud: CloudOption) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(regimes that refuse ``cloud``, regimes that allow it only under conditions the client must establish).

    The five regimes of the project format need a certification covering each (and classified / air-gapped
    data never runs in a cloud). Any other regime is judged by :func:`planner.compliance.may_process` with
    the country of the option's provider region (an option that does not say where it runs cannot be shown to
    stay where a regime requires); a regime the rules file does not know refuses."""

    refused = set((regimes & LEGACY_REGIMES) - cloud.certifications)
    if regimes & STRICT_REGIMES:
        refused |= regimes & STRICT_REGIMES
    conditional: set[str] = set()
    others = regimes - LEGACY_REGIMES
    if others:
        rules = shipped_regimes()
        country = region_country(shipped_regions(), cloud.provider, cloud.region) if cloud.region else None
        offering = Offering(kind="cloud", country=country, certifications=cloud.certifications)
        for code in others:
            regime = rules.regimes.get(code)
            status = "refused" if regime is None else may_process(rules, regime, offering).status
            if status == "refused":
                refused.add(code)
            elif status == "conditional":
                conditional.add(code)
    return tuple(sorted(refused)), tuple(sorted(conditional))


def owned_needs_air_gap(regimes: frozenset[str]) -> tuple[str, ...]:
    """The regimes that allow owned hardware only when it is air-gapped."""

    rules = shipped_regimes().regimes
    other = {c for c in regimes - LEGACY_REGIMES if c in rules and rules[c].onprem == "air_gapped"}
    return tuple(sorted((regimes & STRICT_REGIMES) | other))


def _cloud_carries(cloud: CloudOption, name: str, reg: Regulation, months: int | None) -> list[Reason]:
    """Why ``cloud`` may not carry the regulated / pinned demand it would carry (``months``: a bridge)."""
    out: list[Reason] = []
    extra: dict[str, R.Figure] = {} if months is None else {"months": months}
    carrier = () if cloud.name == name else (cloud.name,)
    if reg.any_regulated and reg.regimes:
        need, _ = cloud_verdicts(reg.regimes, cloud)
        if need:
            out.append(
                Reason(
                    R.REGULATED_UNCERTIFIED,
                    {"regimes": need, **extra},
                    (name, *carrier),
                    R.SOURCE_ARCHITECTURES,
                )
            )
    if reg.owned_only_gpu_hours_per_month > 0:
        out.append(
            Reason(
                R.PINNED_IN_CLOUD,
                {"pinned_gpu_hours_per_month": round(reg.owned_only_gpu_hours_per_month, 1), **extra},
                (name, *carrier),
            )
        )
    return out


def _missing_prices(opt: Option, options: Sequence[Option]) -> list[str]:
    """Keys whose prices the option needs and leaves out (dotted for a hybrid's parts and a bridge)."""
    out: list[str] = []

    def staff(o: Any, pre: str) -> None:
        if ((o.staff_fte or 0.0) > 0 or o.staff_from_table) and (o.fte_cost_annual or 0.0) <= 0:
            out.append(pre + "fte_cost_annual")

    def cloud(o: CloudOption, pre: str) -> None:
        if o.rate_per_hour <= 0:
            out.append(pre + "rate_per_hour")
        if o.pricing == "reserved" and o.on_demand_rate_per_hour is None:
            out.append(pre + "on_demand_rate_per_hour")
        staff(o, pre)

    def owned(o: OnPremOption, pre: str) -> None:
        if o.server_price <= 0:
            out.append(pre + "server_price")
        staff(o, pre)

    if isinstance(opt, HybridOption):
        owned(opt.onprem, "onprem.")
        cloud(opt.burst, "burst.")
        staff(opt, "")
    elif isinstance(opt, OnPremOption):
        owned(opt, "")
        if opt.bridge_option is not None and opt.lead_time_months > 0:
            bridge = next((o for o in options if o.name == opt.bridge_option), None)
            if not isinstance(bridge, CloudOption):
                out.append("bridge_option")
            else:
                if bridge.rate_per_hour <= 0:
                    out.append(f"bridge {bridge.name}: rate_per_hour")
                if bridge.pricing == "reserved" and bridge.on_demand_rate_per_hour is None:
                    out.append(f"bridge {bridge.name}: on_demand_rate_per_hour")
    else:
        cloud(opt, "")
    return out


def _unserved(result: Any, demand: np.ndarray) -> Reason | None:
    gap = np.asarray(demand, dtype=np.float64) - np.asarray(result.served_gpu_hours, dtype=np.float64)
    total = float(np.sum(demand))
    short = float(np.maximum(gap, 0.0).sum())
    if short <= UNSERVED_TOLERANCE_GPU_HOURS + 1e-9 * total:
        return None
    months = np.nonzero(gap > UNSERVED_TOLERANCE_GPU_HOURS)[0] + 1
    first = int(months[0]) if months.size else 1
    last = int(months[-1]) if months.size else len(demand)
    return Reason(
        R.UNSERVED,
        {
            "unserved_gpu_hours": round(short, 1),
            "demand_gpu_hours": round(total, 1),
            "served_share": round(1.0 - short / total, 4) if total > 0 else 0.0,
            "first_month": first,
            "last_month": last,
        },
        (result.name,),
    )


def assess(project: Project, results: Sequence[Any], demand: np.ndarray) -> dict[str, OptionStatus]:
    """Status of every evaluated option (``results`` in project order; ``demand`` GPU-hours per month)."""
    reg = regulation(project)
    out: dict[str, OptionStatus] = {}
    for opt, res in zip(project.options, results, strict=True):
        why: list[Reason] = []
        needs = _missing_prices(opt, project.options)
        if needs:
            why.append(Reason(R.INCOMPLETE, {"needs": tuple(needs)}, (opt.name,)))
        short = _unserved(res, demand)
        if short is not None:
            why.append(short)
        why.extend(_compliance(opt, res, project, reg))
        if not project.mlops_team and not _is_managed_service(opt):
            stack = project.mlops_stack or ("fine_tuning",)
            model: DeploymentModel = (
                "onprem" if isinstance(opt, OnPremOption | HybridOption) else "managed_k8s"
            )
            fte = fte_for(model, stack, project.fte_point, project.staffing_table)
            why.append(Reason(R.NEEDS_MLOPS_TEAM, {"fte": round(fte, 2)}, (opt.name,), R.SOURCE_ON_PREMISES))
        out[opt.name] = OptionStatus(opt.name, tuple(why))
    return out


def _compliance(opt: Option, res: Any, project: Project, reg: Regulation) -> list[Reason]:
    why: list[Reason] = []
    if isinstance(opt, CloudOption):
        return _cloud_carries(opt, opt.name, reg, None)
    owned = opt.onprem if isinstance(opt, HybridOption) else opt
    if reg.strict and not owned.air_gapped:
        why.append(
            Reason(
                R.NOT_AIR_GAPPED,
                {"regimes": owned_needs_air_gap(reg.regimes)},
                (opt.name,),
                R.SOURCE_ARCHITECTURES,
            )
        )
    if isinstance(opt, OnPremOption):
        lead = min(opt.lead_time_months, project.horizon_months)
        if lead > 0 and opt.bridge_option is not None:
            bridge = next((o for o in project.options if o.name == opt.bridge_option), None)
            if isinstance(bridge, CloudOption):
                why.extend(_cloud_carries(bridge, opt.name, reg, lead))
    else:
        burst = float(np.sum(res.details.get("burst_gpu_hours", 0.0)))
        if burst > UNSERVED_TOLERANCE_GPU_HOURS and reg.all_regulated:
            why.extend(
                _cloud_carries(opt.burst, opt.name, replace(reg, latency_gpu_hours_per_month=0.0), None)
            )
    return why


def metric_name(project: Project) -> str:
    return "present_value" if project.discount_rate_annual > 0 else "cash_total"


def metric(project: Project, result: Any) -> float:
    """The ranking figure: present value when a discount rate is set, else the cash total."""
    return float(result.present_value if project.discount_rate_annual > 0 else result.total)


@dataclass(frozen=True)
class Decision:
    """What :func:`recommend` decides: the recommendation (None when no option is a plan), the status of
    each option, and, when blocked, why and the smallest changes that would make a plan."""

    recommendation: Any
    statuses: Mapping[str, OptionStatus]
    blocked_by: tuple[Reason, ...]


def recommend(
    project: Project,
    results: Sequence[Any],
    break_even_util: Mapping[tuple[str, str], float | None],
    peak_gpus: float,
    demand: np.ndarray,
) -> Decision:
    """Assess ``results`` (OptionResult list, same order as project.options) and pick the cheapest plan."""
    statuses = assess(project, results, demand)
    opts = {o.name: o for o in project.options}
    plans = [r for r in results if statuses[r.name].plan]
    reg = regulation(project)
    if not plans:
        return Decision(None, statuses, blocked(project, results, statuses, demand, reg))

    explained: list[Reason] = []
    cautions: list[Reason] = []
    fired: list[str] = []
    avg = float(np.mean(demand)) if np.size(demand) else 0.0
    key: dict[str, float | int | str | None] = {
        "peak_gpus": round(peak_gpus, 1),
        "avg_demand_gpu_hours_per_month": round(avg, 1),
        "horizon_months": project.horizon_months,
    }
    if reg.regimes:
        fired.append("compliance")
        compliant = [
            n
            for n, s in statuses.items()
            if not {R.REGULATED_UNCERTIFIED, R.NOT_AIR_GAPPED, R.PINNED_IN_CLOUD} & set(s.codes)
        ]
        explained.append(
            Reason(
                R.COMPLIANCE,
                {"regimes": tuple(sorted(reg.regimes)), "strict": int(reg.strict)},
                tuple(compliant),
                R.SOURCE_ARCHITECTURES,
            )
        )
    if reg.owned_only_gpu_hours_per_month > 0:
        fired.append("pinned")
        pinned = round(reg.owned_only_gpu_hours_per_month, 1)
        key["pinned_gpu_hours_per_month"] = pinned
        explained.append(Reason(R.PINNED, {"pinned_gpu_hours_per_month": pinned}))
    plans.sort(key=lambda r: metric(project, r))
    best = plans[0]
    chosen = opts[best.name]
    owned_best = isinstance(chosen, OnPremOption | HybridOption)
    if peak_gpus >= project.scale_threshold_gpus:
        fired.append("scale")
        figs: dict[str, R.Figure] = {
            "peak_gpus": round(peak_gpus, 1),
            "threshold": project.scale_threshold_gpus,
        }
        if owned_best and (not isinstance(chosen, HybridOption) or best.details.get("servers")):
            cautions.append(Reason(R.SCALE_OWNED, figs, (best.name,), R.SOURCE_ARCHITECTURES))
        else:
            explained.append(Reason(R.SCALE, figs, (best.name,), R.SOURCE_ARCHITECTURES))
    carriers = (
        [chosen]
        if isinstance(chosen, CloudOption)
        else [chosen.burst]
        if isinstance(chosen, HybridOption)
        else []
    )
    for cloud in carriers:
        conditional = cloud_verdicts(reg.regimes, cloud)[1] if reg.any_regulated else ()
        if conditional:
            cautions.append(Reason(R.COMPLIANCE_CONDITIONAL, {"regimes": conditional}, (best.name,)))
    if not project.mlops_team:
        fired.append("no_mlops_team")
        stack = project.mlops_stack or ("fine_tuning",)
        fte = {
            f"fte_{m}": fte_for(m, stack, project.fte_point, project.staffing_table)
            for m in DEPLOYMENT_MODELS
        }
        key.update(fte)
        explained.append(
            Reason(R.NO_MLOPS_TEAM, {**fte, "stack": tuple(stack)}, (best.name,), R.SOURCE_ON_PREMISES)
        )

    # utilisation of owned plans against the cheapest rented plan (a hybrid: against its own burst)
    rented = [r for r in plans if isinstance(opts[r.name], CloudOption)]
    cheapest_rented = rented[0] if rented else None
    for r in plans:
        o = opts[r.name]
        if not isinstance(o, OnPremOption | HybridOption) or r.utilization is None:
            continue
        if isinstance(o, HybridOption) and not r.details.get("servers"):
            continue  # the split owns nothing: the hybrid is all cloud
        owned = o.onprem if isinstance(o, HybridOption) else o
        lead = min(owned.lead_time_months, project.horizon_months)
        live = np.asarray(r.utilization)[lead:]
        avg_u = float(np.mean(live)) if live.size else 0.0
        partner = (
            o.burst.name
            if isinstance(o, HybridOption)
            else (cheapest_rented.name if cheapest_rented else None)
        )
        key[f"utilization[{r.name}]"] = round(avg_u, 4)
        if partner is None:
            continue
        be = break_even_util.get((r.name, partner))
        key[f"break_even_utilization[{r.name}]"] = None if be is None else round(be, 4)
        figs = {
            "utilization": round(avg_u, 4),
            "break_even": None if be is None else round(be, 4),
            "band_low": SEED_BREAK_EVEN_BAND[0],
            "band_high": SEED_BREAK_EVEN_BAND[1],
            "live_months": int(live.size),
        }
        if be is None or avg_u < be:
            if "utilization" not in fired:
                fired.append("utilization")
            target = cautions if r.name == best.name else explained
            target.append(Reason(R.LOW_UTILIZATION, figs, (r.name, partner), R.SOURCE_ARCHITECTURES))
        elif project.horizon_months >= 24 and abs(project.demand.growth_annual) <= 0.5:
            if "steady_load" not in fired:
                fired.append("steady_load")
            explained.append(Reason(R.STEADY_LOAD, figs, (r.name, partner), R.SOURCE_ARCHITECTURES))

    mname = metric_name(project)
    figs = {
        "metric": mname,
        "value": round(metric(project, best), 2),
        "total": round(best.total, 2),
        "present_value": round(best.present_value, 2),
        "horizon_months": project.horizon_months,
        "per_used_gpu_hour": None if best.per_used_gpu_hour is None else round(best.per_used_gpu_hour, 4),
    }
    names: tuple[str, ...] = (best.name,)
    if len(plans) > 1:
        nxt = plans[1]
        figs["runner_up_value"] = round(metric(project, nxt), 2)
        names = (best.name, nxt.name)
    explained.append(Reason(R.CHEAPEST, figs, names))
    explained.extend(_drivers(best))
    for alt in plans[1:4]:
        more = metric(project, alt) - metric(project, best)
        stays = np.nonzero(np.cumsum(np.asarray(best.monthly) - np.asarray(alt.monthly))[::-1] > 0.005)[0]
        h = len(best.monthly)
        month = h - int(stays[0]) + 1 if stays.size else 1  # after the last month best is dearer to date
        explained.append(
            Reason(
                R.ALTERNATIVE,
                {
                    "metric": mname,
                    "value": round(metric(project, alt), 2),
                    "more": round(more, 2),
                    "more_share": round(more / metric(project, best), 4)
                    if metric(project, best) > 0
                    else None,
                    "break_even_month": month if month <= h else None,
                },
                (alt.name, best.name),
            )
        )
    if isinstance(chosen, HybridOption):
        n = int(best.details.get("servers", 0))
        burst = float(np.sum(best.details.get("burst_gpu_hours", 0.0)))
        explained.append(
            Reason(
                R.HYBRID_SPLIT,
                {
                    "servers": n,
                    "gpus": n * chosen.onprem.gpus_per_server,
                    "burst_gpu_hours_per_month": round(burst / project.horizon_months, 1),
                },
                (best.name, chosen.burst.name),
            )
        )
    cheaper = sorted(
        (r for r in results if not statuses[r.name].plan and metric(project, r) < metric(project, best)),
        key=lambda r: metric(project, r),
    )
    for r in cheaper[:3]:
        explained.append(
            Reason(
                R.EXCLUDED_CHEAPER,
                {"metric": mname, "value": round(metric(project, r), 2), "why": statuses[r.name].codes},
                (r.name,),
            )
        )
    overall = min(results, key=lambda r: metric(project, r))
    key.update(total=round(best.total, 2), cheapest_overall=overall.name)
    if project.discount_rate_annual > 0:
        key["present_value"] = round(best.present_value, 2)
    rec = Recommendation(
        option=best.name,
        kind=chosen.kind,
        label=architecture_label(chosen, project),
        explained=tuple(explained),
        key_numbers=key,
        rules_fired=tuple(fired),
        cautions=tuple(cautions),
        currency=project.currency,
    )
    return Decision(rec, statuses, ())


def _drivers(best: Any, top: int = 3) -> list[Reason]:
    """The recommended option's largest cost terms over the horizon (cash, positive terms)."""
    sums = {k: float(np.sum(v)) for k, v in best.breakdown.items() if float(np.sum(v)) > 0}
    total = sum(sums.values())
    if total <= 0:
        return []
    ranked = sorted(sums.items(), key=lambda kv: -kv[1])[:top]
    return [
        Reason(
            R.DRIVERS,
            {
                "terms": tuple(k for k, _ in ranked),
                "shares": tuple(f"{100 * v / total:.0f}" for _, v in ranked),
            },
            (best.name,),
        )
    ]


# ------------------------------------------------------------------------------------------- blocked


def blocked(
    project: Project,
    results: Sequence[Any],
    statuses: Mapping[str, OptionStatus],
    demand: np.ndarray,
    reg: Regulation,
) -> tuple[Reason, ...]:
    """No option is a plan: the reason, then the smallest changes that would make one (one per near miss)."""
    out: list[Reason] = [
        Reason(
            R.NO_COMPLIANT_PLAN,
            {"regimes": tuple(sorted(reg.regimes)), "options": len(results)},
            tuple(r.name for r in results),
            R.SOURCE_ARCHITECTURES if reg.regimes else None,
        )
    ]
    fixes: list[tuple[int, Reason]] = []
    fix_cost: list[float] = []
    for opt in project.options:
        st = statuses[opt.name]
        codes = set(st.codes)
        if codes == {R.INCOMPLETE}:
            fixes.append((0, Reason(R.FILL_PRICES, st.why[0].figures, (opt.name,))))
        if codes == {R.NEEDS_MLOPS_TEAM}:
            fixes.append((0, Reason(R.MANAGED_OR_TEAM, {}, (opt.name,), R.SOURCE_ON_PREMISES)))
        if codes == {R.NOT_AIR_GAPPED}:
            fixes.append(
                (0, Reason(R.AIR_GAPPED_OPTION, st.why[0].figures, (opt.name,), R.SOURCE_ARCHITECTURES))
            )
        bridge_only = {c for c in codes if c != R.UNSERVED} <= {R.REGULATED_UNCERTIFIED, R.PINNED_IN_CLOUD}
        if isinstance(opt, OnPremOption) and bridge_only and codes:
            fix = _servers_fix(project, opt, demand, reg)
            if fix is not None:
                fixes.append(fix)
                if fix[1].code == R.ADD_SERVERS:
                    per = fix[1].figures.get("per_gpu_hour")
                    if isinstance(per, int | float):
                        fix_cost.append(float(per))
    if reg.any_regulated and not reg.strict and reg.regimes:
        figs: dict[str, R.Figure] = {"regimes": tuple(sorted(reg.regimes))}
        if fix_cost:
            figs["max_rate_per_gpu_hour"] = round(min(fix_cost), 4)
        fixes.append((1, Reason(R.CERTIFIED_CLOUD, figs, (), R.SOURCE_ARCHITECTURES)))
    if reg.strict and not any(isinstance(o, OnPremOption | HybridOption) for o in project.options):
        fixes.append((1, Reason(R.AIR_GAPPED_OPTION, {"regimes": owned_needs_air_gap(reg.regimes)})))
    fixes.sort(key=lambda f: f[0])
    return tuple(out + [f for _, f in fixes])


def _servers_fix(
    project: Project, opt: OnPremOption, demand: np.ndarray, reg: Regulation
) -> tuple[int, Reason] | None:
    """Fewest servers (and a compliant bridge for the lead time, when one is needed) that serve all demand."""

    ctx = make_context(project, Params())
    lead = min(opt.lead_time_months, project.horizon_months)
    needs_bridge = lead > 0 and float(np.sum(demand[:lead])) > UNSERVED_TOLERANCE_GPU_HOURS
    bridge = Reason(
        R.CERTIFIED_BRIDGE,
        {"months": lead, "regimes": tuple(sorted(reg.regimes))},
        (opt.name,),
        R.SOURCE_ARCHITECTURES,
    )
    top = min(MAX_EXTRA_SERVER_SEARCH, max(opt.servers * 8, opt.servers + 64))
    cands = np.arange(opt.servers, top + 1, dtype=np.float64).reshape(-1, 1)
    flows = onprem_flows(replace(opt, bridge_option=None), ctx, f"options.{opt.name}.", servers=cands)
    gap = np.maximum(np.asarray(demand)[None, lead:] - np.asarray(flows.served)[:, lead:], 0.0).sum(axis=1)
    ok = np.nonzero(gap <= UNSERVED_TOLERANCE_GPU_HOURS + 1e-9 * float(np.sum(demand)))[0]
    if not ok.size:
        return (1, bridge) if needs_bridge else None
    i = int(ok[0])
    n = int(cands[i, 0])
    if n == opt.servers:
        return (1, bridge) if needs_bridge else None
    total = float(np.broadcast_to(totals(flows, np.ones(ctx.h)), (cands.shape[0],))[i])
    served = float(np.sum(demand[lead:]))
    figs: dict[str, R.Figure] = {
        "servers": opt.servers,
        "needed": n,
        "extra": n - opt.servers,
        "extra_capex": round((n - opt.servers) * opt.server_price * (1.0 + (opt.network_fraction or 0.0)), 2),
        "per_gpu_hour": round(total / served, 4) if served > 0 else None,
    }
    if needs_bridge:
        figs["bridge_months"] = lead
    return (1 if needs_bridge else 0, Reason(R.ADD_SERVERS, figs, (opt.name,)))
