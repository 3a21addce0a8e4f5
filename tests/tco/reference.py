"""Plain-Python scalar reference of the TCO cash-flow model (loops, no numpy): the oracle the vectorised
engine must equal to the cent. Written from the formulas in docs/PROJECT_FORMAT.md, not from the engine's
code paths (no Term objects, no broadcasting, month by month)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from planner.project import CloudOption, HybridOption, OnPremOption, Project
from planner.staffing import deployment_model_for, fte_for

EPS = 1e-9


@dataclass
class Stream:
    gpu_hours: list[float]
    job: float | None
    gpus_per_job: int
    pinned: bool


@dataclass
class Flows:
    cash: list[float]
    amort: list[float]
    served: list[float]
    per_stream: list[list[float]]


def streams(p: Project) -> list[Stream]:
    h = p.horizon_months
    d = p.demand
    out: list[Stream] = []
    prof = d.monthly_profile

    def curve(g: float, profile: tuple[float, ...] = ()) -> list[float]:
        c = [(1.0 + g) ** (m / 12.0) for m in range(h)]
        if profile:
            c = [c[m] * profile[m % len(profile)] for m in range(h)]
        return c

    job = (
        d.gpu_hours_per_month / d.jobs_per_month
        if d.jobs_per_month > 0 and d.gpu_hours_per_month > 0
        else None
    )
    if d.gpu_hours_per_month > 0:
        total = [d.gpu_hours_per_month * x * 1.0 for x in curve(d.growth_annual, prof)]
        if d.regulated_fraction > 0:
            out.append(Stream([t * d.regulated_fraction for t in total], job, d.gpus_per_job, True))
        if d.regulated_fraction < 1:
            out.append(Stream([t * (1.0 - d.regulated_fraction) for t in total], job, d.gpus_per_job, False))
    for w in p.workloads:
        assert w.gpu_hours_per_run is not None
        monthly = w.runs_per_month * w.gpu_hours_per_run
        if monthly <= 0:
            continue
        out.append(
            Stream(
                [monthly * x * 1.0 for x in curve(w.growth_annual)],
                w.gpu_hours_per_run if w.gpu_hours_per_run > 0 else None,
                w.gpus,
                w.regulated or w.pinned_onprem,
            )
        )
    return out


def staff_monthly(p: Project, opt: object, kind: str, managed: bool) -> float:
    fte = opt.staff_fte or 0.0  # type: ignore[attr-defined]
    if opt.staff_from_table:  # type: ignore[attr-defined]
        fte = fte + fte_for(deployment_model_for(kind, managed), p.mlops_stack, p.fte_point, p.staffing_table)
    return fte * (opt.fte_cost_annual or 0.0) / 12.0  # type: ignore[attr-defined]


def factor(opt: CloudOption, s: Stream) -> float:
    oh = opt.spot_overhead if opt.pricing == "spot" else 0.0
    gpi = opt.gpus_per_instance
    if s.job is None:
        return (1.0 + oh) / gpi if opt.rate_unit == "instance" else 1.0 + oh
    g = s.gpus_per_job or gpi
    k = math.ceil(g / gpi)
    wall_s = s.job / g * 3600.0 * (1.0 + oh)
    billed_s = max(
        opt.min_billing_s, math.ceil(wall_s / opt.billing_increment_s - EPS) * opt.billing_increment_s
    )
    units = billed_s / 3600.0 * (k if opt.rate_unit == "instance" else g)
    return units / s.job


def egress(opt: CloudOption) -> float:
    tb = opt.egress_tb_per_month
    if not opt.egress_tiers:
        return tb * opt.egress_per_tb
    cost, prev = 0.0, 0.0
    for upto, price in opt.egress_tiers:
        top = math.inf if upto is None else upto
        cost += min(max(tb - prev, 0.0), top - prev) * price
        prev = top
    return cost


def cloud(
    p: Project,
    opt: CloudOption,
    ss: list[Stream],
    shares: list[list[float]] | None,
    kind: str,
    compute_only: bool = False,
) -> Flows:
    h, hpm = p.horizon_months, p.hours_per_month
    demand = shares if shares is not None else [s.gpu_hours for s in ss]
    rate = opt.rate_per_hour * (1.0 + opt.managed_premium) * (1.0 - opt.discount)
    fs = [factor(opt, s) for s in ss]
    units = []
    for m in range(h):
        u = 0.0
        for f, dem in zip(fs, demand, strict=True):
            u = u + dem[m] * f
        units.append(u)
    compute = []
    if opt.pricing == "reserved":
        upi = opt.gpus_per_instance if opt.rate_unit == "gpu" else 1
        committed = opt.committed_instances
        if (
            committed is None
        ):  # the most instances needed at once: whole jobs of g GPUs, or fluid × peak factor
            gpus_at_once = []
            for m in range(h):
                g_m = 0.0
                for st, dem in zip(ss, demand, strict=True):
                    if st.job is None:
                        g_m += dem[m] / hpm * p.demand.peak_factor
                    else:
                        g = st.gpus_per_job or opt.gpus_per_instance
                        g_m += math.ceil(dem[m] / (g * hpm) - EPS) * g
                gpus_at_once.append(g_m)
            committed = max(0, math.ceil(max(gpus_at_once) / opt.gpus_per_instance - EPS)) if units else 0
        cap = committed * hpm * upi
        od = (opt.on_demand_rate_per_hour or 0.0) * (1.0 + opt.managed_premium)
        compute = [rate * cap + max(u - cap, 0.0) * od for u in units]
    else:
        compute = [u * rate for u in units]
    storage = opt.storage_per_tb_month * opt.storage_tb
    eg = egress(opt)
    cash = []
    for m in range(h):
        c = compute[m]
        if not compute_only:
            c += storage + eg
            if opt.support_rate:
                c += (compute[m] + storage + eg) * opt.support_rate
            c += staff_monthly(p, opt, kind, opt.managed) + opt.monthly_fixed
        cash.append(c)
    served = [sum(d[m] for d in demand) for m in range(h)]
    return Flows(cash, list(cash), served, [list(d) for d in demand])


def served_fluid(load: float, cap: float, pf: float) -> float:
    if pf <= 1.0:
        return min(load, cap)
    a, b = load * (2.0 - pf), load * pf
    if cap >= b:
        return load
    if cap <= a:
        return cap
    return ((cap * cap - a * a) / 2.0 + cap * (b - cap)) / (b - a)


def place(p: Project, ss: list[Stream], loads: list[list[float]], gpus: list[float]) -> list[list[float]]:
    h, hpm = p.horizon_months, p.hours_per_month
    out = [[0.0] * h for _ in ss]
    order = [i for i, s in enumerate(ss) if s.pinned] + [i for i, s in enumerate(ss) if not s.pinned]
    for m in range(h):
        free = gpus[m]
        for i in order:
            s, load = ss[i], loads[i][m]
            if s.gpus_per_job > 0:
                g = float(s.gpus_per_job)
                slots = math.floor(free / g + EPS)
                need = math.ceil(load / (g * hpm) - EPS)
                use = min(slots, max(need, 0))
                served = min(load, use * g * hpm)
                free = free - use * g
            else:
                served = served_fluid(load, free * hpm, p.demand.peak_factor)
                free = free - served / hpm
            out[i][m] = served
    return out


def onprem(
    p: Project,
    opt: OnPremOption,
    ss: list[Stream],
    n: int,
    kind: str = "onprem",
    bridge: CloudOption | None = None,
) -> Flows:
    h, hpm = p.horizon_months, p.hours_per_month
    lead = min(opt.lead_time_months, h)
    live = [1.0 if m >= lead else 0.0 for m in range(h)]
    gpus = [n * opt.gpus_per_server * live[m] for m in range(h)]
    per = place(p, ss, [[d * live[m] for m, d in enumerate(s.gpu_hours)] for s in ss], gpus)
    served = [sum(x[m] for x in per) for m in range(h)]
    util = [served[m] / (gpus[m] * hpm) if gpus[m] * hpm > 0 else 0.0 for m in range(h)]
    capex = (
        n * opt.server_price * (1.0 + (opt.network_fraction or 0.0))
        + (opt.network_capex or 0.0)
        + opt.storage_capex
        + opt.other_capex
    )
    res = opt.residual_fraction
    pue = opt.pue if opt.pue is not None else p.pue
    elec = opt.electricity_per_kwh if opt.electricity_per_kwh is not None else p.electricity_per_kwh
    staff = staff_monthly(p, opt, kind, False)
    capex_cash = [0.0] * h
    interest = [0.0] * h
    if opt.finance_rate_annual is None:
        capex_cash[0] = capex
    else:
        r = opt.finance_rate_annual / 12.0
        nn = opt.finance_months or opt.depreciation_months
        pay = r / (1.0 - (1.0 + r) ** (-nn)) if r > 0 else 1.0 / nn
        bal = 1.0
        for m in range(h):
            if m < nn:
                capex_cash[m] += capex * pay
                interest[m] = capex * bal * r
                bal = bal * (1.0 + r) - pay
        if nn > h:
            capex_cash[h - 1] += capex * max(bal, 0.0)
    cash, amort = [], []
    bridge_cost = [0.0] * h
    bridge_served = [0.0] * h
    if bridge is not None and lead > 0:
        shares = [[d if m < lead else 0.0 for m, d in enumerate(s.gpu_hours)] for s in ss]
        # a reserved bridge is used without a commitment: billed at its on-demand rate
        usage = (
            replace(bridge, pricing="on_demand", rate_per_hour=bridge.on_demand_rate_per_hour or 0.0)
            if bridge.pricing == "reserved"
            else bridge
        )
        bf = cloud(p, usage, ss, shares, "cloud", compute_only=True)
        bridge_cost, bridge_served = bf.cash, bf.served
    for m in range(h):
        draw = (
            n
            * (opt.power_kw_per_server or 0.0)
            * opt.load_factor
            * (opt.idle_power_fraction + (1.0 - opt.idle_power_fraction) * util[m])
            * live[m]
        )
        power = 0.0 if opt.colo_includes_power else draw * pue * hpm * elec
        colo = n * (opt.power_kw_per_server or 0.0) * opt.colo_per_kw_month * live[m]
        maint = capex * (opt.maintenance_rate_annual or 0.0) / 12.0 * live[m]
        sopex = n * opt.opex_annual_per_server / 12.0 * live[m]
        lic = opt.licences_annual / 12.0 * live[m]
        running = power + colo + maint + sopex + lic + staff + opt.monthly_fixed + bridge_cost[m]
        resid = -res * capex if m == h - 1 else 0.0
        # straight line from go-live (month lead) for the depreciation life
        in_service = h - lead
        dep = (
            capex * (1.0 - res) / opt.depreciation_months
            if lead <= m < lead + opt.depreciation_months
            else 0.0
        )
        if (
            m == h - 1 and in_service < opt.depreciation_months
        ):  # loss on disposal: book left − residual value
            book = capex - capex * (1.0 - res) * in_service / opt.depreciation_months
            dep += book - res * capex
        cash.append(capex_cash[m] + resid + running)
        amort.append(dep + interest[m] + running)
    return Flows(cash, amort, [served[m] + bridge_served[m] for m in range(h)], per)


def hybrid(p: Project, opt: HybridOption, ss: list[Stream], servers: int | None = None) -> tuple[Flows, int]:
    h, hpm = p.horizon_months, p.hours_per_month
    if servers is not None:  # a plan fixed on the base case (Monte Carlo)
        return _hybrid_at(p, opt, ss, servers), servers
    pinned_peak = max((sum(s.gpu_hours[m] for s in ss if s.pinned) for m in range(h)), default=0.0)
    peak = pinned_peak * p.demand.peak_factor
    n_min = math.ceil(peak / (opt.onprem.gpus_per_server * hpm) - EPS) if peak > 0 else 0
    top = opt.onprem.servers  # the user's maximum is never exceeded
    cands = list(range(min(n_min, top), top + 1)) if opt.optimise_split else [top]
    best: tuple[Flows, int] | None = None
    for n in cands:
        f = _hybrid_at(p, opt, ss, n)
        if best is None or sum(f.cash) < sum(best[0].cash) - 1e-6:
            best = (f, n)
    assert best is not None
    return best


def _hybrid_at(p: Project, opt: HybridOption, ss: list[Stream], n: int) -> Flows:
    h = p.horizon_months
    base = onprem(p, opt.onprem, ss, n, kind="hybrid")
    shares = [
        [0.0] * h if s.pinned else [max(s.gpu_hours[m] - base.per_stream[i][m], 0.0) for m in range(h)]
        for i, s in enumerate(ss)
    ]
    burst = cloud(p, opt.burst, ss, shares, "cloud")
    extra = staff_monthly(p, opt, "hybrid", False) + opt.monthly_fixed
    cash = [base.cash[m] + burst.cash[m] + extra for m in range(h)]
    amort = [base.amort[m] + burst.amort[m] + extra for m in range(h)]
    return Flows(cash, amort, [base.served[m] + burst.served[m] for m in range(h)], base.per_stream)


def evaluate(p: Project, hybrid_servers: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """{option: {total, total_amortised, present_value, served, monthly, monthly_amortised}} computed month by
    month (``monthly*``: lists, one value a month). ``hybrid_servers`` fixes the owned part of hybrids (as
    Monte Carlo does with the base case's split)."""
    ss = streams(p)
    out: dict[str, dict[str, Any]] = {}
    for opt in p.options:
        if isinstance(opt, HybridOption):
            f, _ = hybrid(p, opt, ss, (hybrid_servers or {}).get(opt.name))
        elif isinstance(opt, OnPremOption):
            bridge = next((o for o in p.options if o.name == opt.bridge_option), None)
            f = onprem(p, opt, ss, opt.servers, bridge=bridge if isinstance(bridge, CloudOption) else None)
        else:
            f = cloud(p, opt, ss, None, opt.kind)
        pv = sum(c * (1.0 + p.discount_rate_annual) ** (-(m + 1) / 12.0) for m, c in enumerate(f.cash))
        out[opt.name] = {
            "total": sum(f.cash),
            "total_amortised": sum(f.amort),
            "present_value": pv,
            "served": sum(f.served),
            "monthly": list(f.cash),
            "monthly_amortised": list(f.amort),
        }
    return out


def break_even_month(cash_a: list[float], cash_b: list[float]) -> int | None:
    """First month (1-based) whose running total of ``cash_a`` is at most that of ``cash_b`` plus half a cent."""
    cum_a = cum_b = 0.0
    for m, (x, y) in enumerate(zip(cash_a, cash_b, strict=True)):
        cum_a += x
        cum_b += y
        if cum_a <= cum_b + 0.005:
            return m + 1
    return None


def apply_overrides(p: Project, values: dict[str, float]) -> Project:
    """The project with one Monte Carlo sample's values applied (canonical paths, see planner.project.InputRange).
    ``demand.scale`` scales GPU-hours and job counts alike (job sizes stay), as the engine does."""
    from dataclasses import replace as rep

    # Field names come from the sample's paths, so the keyword arguments to replace() are typed Any.
    top: dict[str, Any] = {}
    demand = p.demand
    workloads = list(p.workloads)
    options = list(p.options)
    for path, v in values.items():
        if path in ("electricity_per_kwh", "pue"):
            top[path] = v
        elif path == "demand.scale":
            demand = rep(
                demand,
                gpu_hours_per_month=demand.gpu_hours_per_month * v,
                jobs_per_month=demand.jobs_per_month * v,
            )
            workloads = [rep(w, runs_per_month=w.runs_per_month * v) for w in workloads]
        elif path.startswith("demand."):
            demand_field: dict[str, Any] = {path[len("demand.") :]: v}
            demand = rep(demand, **demand_field)
        else:
            _, name_key = path.split(".", 1)
            for i, o in enumerate(options):
                if not name_key.startswith(o.name + "."):
                    continue
                key = name_key[len(o.name) + 1 :]
                if isinstance(o, HybridOption) and key.startswith(("onprem.", "burst.")):
                    part, sub = key.split(".", 1)
                    options[i] = rep(o, **{part: rep(getattr(o, part), **{sub: v})})
                else:
                    option_field: dict[str, Any] = {key: v}
                    options[i] = rep(o, **option_field)
    return rep(p, demand=demand, workloads=tuple(workloads), options=tuple(options), **top)
