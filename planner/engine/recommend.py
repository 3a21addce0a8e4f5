"""The recommendation: the decision rules of seed 001 ("Decision boundaries") and seed 002 applied to the
computed numbers, each reason naming the figures behind it.

Rules, in order (each narrows the eligible options; a rule that would leave nothing is reported, not applied):
1. Compliance — data under HIPAA, FedRAMP, ITAR, classified handling or an air-gap mandate stays on
   premises, in a certified private cloud (an option whose ``certifications`` cover the regimes) or
   air-gapped (classified/air_gapped: air-gapped owned options only, if any). Workloads pinned on premises
   (regulated or latency) rule out options that would put them in the cloud.
2. Scale — a peak beyond ``scale_threshold_gpus`` accelerators (seed 001: "thousands of accelerators";
   "few organizations can justify the CapEx for that scale on-premises") → rented capacity.
3. No in-house MLOps team → managed services (seed 002 §8–9: cloud-native FTE row).
4. Utilisation — an owned fleet whose average utilisation is below its break-even utilisation against the
   cheapest rented option → rent (seeds cite 60–70 % (001) and 50–60 % (002)).
5. Steady multi-year load at or above break-even → owned (stated as a reason when it holds).
Then the cheapest eligible option by horizon cash total is recommended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from planner.project import (
    CloudOption,
    HybridOption,
    ManagedK8sOption,
    OnPremOption,
    Option,
    Project,
)
from planner.staffing import fte_for

STRICT_REGIMES = frozenset({"classified", "air_gapped"})
REGIME_LABEL = {
    "hipaa": "HIPAA (45 CFR §164)",
    "fedramp": "FedRAMP",
    "itar": "ITAR",
    "classified": "classified-data handling",
    "air_gapped": "an air-gap mandate",
}
SEED_BREAK_EVEN_BAND = (0.50, 0.70)
"""Break-even utilisation band the sources cite: 60–70 % (seed 001 §3), 50–60 % (seed 002 §10)."""


def _money(x: float, cur: str) -> str:
    sym = "$" if cur == "USD" else f"{cur} "
    return f"{sym}{x:,.0f}"


def architecture_label(opt: Option, project: Project) -> str:
    """Architecture in the words of seed 001's table."""
    if isinstance(opt, HybridOption):
        return "Hybrid (on-premises base + cloud burst)"
    if isinstance(opt, OnPremOption):
        if opt.air_gapped:
            return "On-premises (air-gapped)"
        return "On-premises"
    if isinstance(opt, ManagedK8sOption):
        return "Managed Kubernetes"
    if opt.certifications & project.compliance:
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


def _is_rented(opt: Option) -> bool:
    return isinstance(opt, CloudOption)


def recommend(
    project: Project,
    results: Sequence[Any],
    break_even_util: dict[tuple[str, str], float | None],
    peak_gpus: float,
    avg_demand: float,
    demand_total: float | None = None,
) -> Any:
    """Apply the rules to evaluated ``results`` (OptionResult list, same order as project.options)."""
    from planner.engine.tco import Recommendation

    cur = project.currency
    by_name = {r.name: r for r in results}
    opts = {o.name: o for o in project.options}
    eligible = [o.name for o in project.options]
    reasons: list[str] = []
    fired: list[str] = []
    key: dict[str, float | int | str | None] = {
        "peak_gpus": round(peak_gpus, 1),
        "avg_demand_gpu_hours_per_month": round(avg_demand, 1),
        "horizon_months": project.horizon_months,
    }

    def narrow(keep: list[str], rule: str, why: str) -> None:
        nonlocal eligible
        kept = [n for n in eligible if n in keep]
        if not kept:
            reasons.append(
                f"{why} — but no option of this project qualifies, so the rule could not be applied."
            )
            return
        if len(kept) < len(eligible) or rule in ("compliance", "scale"):
            fired.append(rule)
            reasons.append(why)
        eligible = kept

    # 0. an option must serve the demand
    if demand_total is not None and demand_total > 0:
        short = [r for r in results if float(r.served_gpu_hours.sum()) < 0.99 * demand_total]
        if short:
            serving = [n for n in eligible if n not in {r.name for r in short}]
            why = "; ".join(
                f"{r.name} serves only {float(r.served_gpu_hours.sum()) / demand_total:.0%} of the "
                f"{demand_total:,.0f} GPU-hours demanded"
                for r in short
            )
            narrow(serving, "capacity", why + " — excluded (too small, or hardware not live in time).")

    # 1. compliance and pinned workloads
    regimes = sorted(project.compliance)
    pinned = (
        any(w.regulated or w.pinned_onprem for w in project.workloads)
        or project.demand.regulated_fraction > 0
    )
    if regimes:
        labels = ", ".join(REGIME_LABEL[r] for r in regimes)
        strict = bool(STRICT_REGIMES & project.compliance)
        keep: list[str] = []
        for o in project.options:
            if isinstance(o, OnPremOption):
                if (
                    not strict
                    or o.air_gapped
                    or not any(isinstance(x, OnPremOption) and x.air_gapped for x in project.options)
                ):
                    keep.append(o.name)
            elif isinstance(o, HybridOption):
                if not strict and (pinned or project.compliance <= o.burst.certifications):
                    keep.append(o.name)
            elif project.compliance <= o.certifications and not strict:
                keep.append(o.name)
        where = "air-gapped on-premises" if strict else "on-premises, a certified private cloud or air-gapped"
        narrow(
            keep,
            "compliance",
            f"Training data is subject to {labels}: seed 001 decision rule 1 requires {where}; "
            f"eligible: {', '.join(keep) or 'none'}.",
        )
    if pinned:
        pinned_h = (
            sum(
                w.runs_per_month * (w.gpu_hours_per_run or 0.0)
                for w in project.workloads
                if w.regulated or w.pinned_onprem
            )
            + project.demand.gpu_hours_per_month * project.demand.regulated_fraction
        )
        key["pinned_gpu_hours_per_month"] = round(pinned_h, 1)
        keep = [
            o.name
            for o in project.options
            if isinstance(o, OnPremOption | HybridOption)
            or (o.certifications and o.certifications >= project.compliance and project.compliance)
        ]
        narrow(
            keep,
            "pinned",
            f"{pinned_h:,.0f} GPU-hours a month must stay on premises (regulated or latency-bound workloads), "
            "which rules out cloud-only options.",
        )

    # 2. scale
    threshold = project.scale_threshold_gpus
    if peak_gpus >= threshold:
        keep = [n for n in eligible if _is_rented(opts[n])]
        narrow(
            keep,
            "scale",
            f"Peak demand needs about {peak_gpus:,.0f} GPUs at once (≥ {threshold:,}, 'thousands of accelerators'): "
            "seed 001 rule 2 — few organisations can justify that capex on premises; rent the cluster.",
        )

    # 3. no MLOps team
    if not project.mlops_team:
        keep = [n for n in eligible if _is_managed_service(opts[n])]
        stack = project.mlops_stack or ("fine_tuning",)
        on_fte = fte_for("onprem", stack, project.fte_point, project.staffing_table)
        k8s_fte = fte_for("managed_k8s", stack, project.fte_point, project.staffing_table)
        cn_fte = fte_for("cloud_native", stack, project.fte_point, project.staffing_table)
        key.update(fte_onprem=on_fte, fte_managed_k8s=k8s_fte, fte_cloud_native=cn_fte)
        narrow(
            keep,
            "no_mlops_team",
            f"No in-house MLOps team: running {', '.join(stack)} needs about {on_fte:.2f} FTE on premises "
            f"(incl. 0.25 on-call per component), {k8s_fte:.2f} on managed Kubernetes and {cn_fte:.2f} "
            "with managed services (seed 002 §9) — use a managed service.",
        )

    # 4./5. utilisation against break-even
    rented = [r for r in results if _is_rented(opts[r.name])]
    cheapest_rented = min(rented, key=lambda r: r.total) if rented else None
    low_util: list[str] = []
    low_text: list[str] = []
    steady: list[str] = []
    for name in list(eligible):
        o = opts[name]
        r = by_name[name]
        if not isinstance(o, OnPremOption | HybridOption) or r.utilization is None:
            continue
        if isinstance(o, HybridOption) and not r.details.get("servers"):
            continue  # the optimal split owns nothing: the hybrid is all cloud
        live = r.utilization[r.utilization > 0] if np.any(r.utilization > 0) else r.utilization
        avg_u = float(np.mean(live)) if live.size else 0.0
        partner = (
            o.burst.name
            if isinstance(o, HybridOption)
            else (cheapest_rented.name if cheapest_rented else None)
        )
        be = break_even_util.get((name, partner)) if partner else None
        key[f"utilization[{name}]"] = round(avg_u, 4)
        key[f"break_even_utilization[{name}]"] = None if be is None else round(be, 4)
        if partner is None:
            continue
        if be is None or avg_u < be:
            low_util.append(name)
            be_txt = (
                "never breaks even (dearer per GPU-hour even at 100 %)"
                if be is None
                else f"breaks even at {be:.0%}"
            )
            low_text.append(
                f"{name}: average utilisation {avg_u:.0%} of its owned GPUs; against {partner} it {be_txt} "
                f"(the sources cite {SEED_BREAK_EVEN_BAND[0]:.0%}–{SEED_BREAK_EVEN_BAND[1]:.0%})"
            )
        elif project.horizon_months >= 24 and abs(project.demand.growth_annual) <= 0.5:
            steady.append(name)
            reasons.append(
                f"{name}: steady {project.horizon_months}-month load keeps its GPUs {avg_u:.0%} busy, above the "
                f"{be:.0%} break-even against {partner} → owning pays (seed 001 rule 3: high-utilisation steady-state)."
            )
    if low_util:
        keep = [n for n in eligible if n not in low_util]
        if keep:
            fired.append("utilization")
            eligible = keep
            reasons.extend(t + " → rent rather than own (seed 001 rule 3)." for t in low_text)
        else:
            reasons.extend(
                t
                + "; renting would be cheaper per GPU-hour, but the rules above leave no rented option eligible."
                for t in low_text
            )
    if steady:
        fired.append("steady_load")

    # final: cheapest eligible by cash total
    best = min((by_name[n] for n in eligible), key=lambda r: r.total)
    servers_ok = [
        r for r in results if not (demand_total and float(r.served_gpu_hours.sum()) < 0.99 * demand_total)
    ]
    overall = min(servers_ok or list(results), key=lambda r: r.total)
    others = sorted((by_name[n] for n in eligible if n != best.name), key=lambda r: r.total)
    line = f"{best.name} is the cheapest eligible option: {_money(best.total, cur)} over {project.horizon_months} months"
    if others:
        nxt = others[0]
        more = f" ({(nxt.total - best.total) / nxt.total:.0%} more)" if nxt.total > 0 else ""
        line += f", against {_money(nxt.total, cur)} for {nxt.name}{more}"
    if best.per_used_gpu_hour is not None:
        line += f"; {best.per_used_gpu_hour:,.2f} {cur} per used GPU-hour"
    reasons.append(line + ".")
    chosen = opts[best.name]
    if isinstance(chosen, HybridOption):
        n = int(best.details.get("servers", 0))
        burst = float(np.sum(best.details.get("burst_gpu_hours", 0.0)))
        reasons.append(
            f"Its optimal split owns {n} server(s) ({n * chosen.onprem.gpus_per_server} GPUs) for the base load "
            f"and bursts {burst / project.horizon_months:,.0f} GPU-hours a month on average to {chosen.burst.name}."
        )
    if overall.name != best.name:
        reasons.append(
            f"{overall.name} would be cheaper ({_money(overall.total, cur)}) but the rules above exclude it."
        )
    key.update(total=round(best.total, 2), cheapest_overall=overall.name)
    return Recommendation(
        option=best.name,
        kind=opts[best.name].kind,
        label=architecture_label(opts[best.name], project),
        reasons=reasons,
        key_numbers=key,
        rules_fired=tuple(fired),
    )
