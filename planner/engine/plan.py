"""The plan: the cheapest way to serve the demand month by month from the project's candidate options — how
many servers of which platform to buy and when, how many reservations of which term start when, what runs
per use (on-demand, spot, savings plan) — as a mixed-integer program solved by HiGHS
(``scipy.optimize.milp``). The program is stated in docs/DECISION_MODEL.md §Plan.

Candidates: every complete cloud / managed-Kubernetes option (per use, or as a reservation when its pricing
is ``reserved``, with its ``on_demand_rate_per_hour`` as a per-use source too), every on-premises option
and hybrid owned base as a server *platform* (identical platforms merged), every hybrid burst. Demand is
the month's layers (:mod:`planner.engine.demand`); every layer is served in full (unserved demand is never
free: no plan rather than a cheap one). Regulated layers run only on certified capacity, latency-pinned
layers only on owned servers (:func:`planner.engine.recommend.regulation`).

Money: project currency; cash at month end, discounted by (1 + r)^(m/12) when the objective is present
value. Reservation months past the horizon are owed: they count in the objective and are reported as the
liability after the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from planner.engine.cashflow import (
    Context,
    Params,
    billing_factor,
    effective_rate,
    egress_cost,
    make_context,
    staff_terms,
)
from planner.engine.demand import Layer, layers
from planner.engine.recommend import (
    _is_managed_service,
    _missing_prices,
    cloud_verdicts,
    owned_needs_air_gap,
    regulation,
)
from planner.project import CloudOption, HybridOption, OnPremOption, Project

FloatArray = npt.NDArray[np.float64]
MIP_REL_GAP = 1e-7
"""Relative optimality gap HiGHS stops at (1e-7 of a $10 M plan is $1)."""
TIME_LIMIT_S = 20.0


@dataclass(frozen=True)
class UseSource:
    """Per-use capacity: ``cost[s]`` per demanded GPU-hour of stream s (rate × billing factor × support)."""

    name: str
    option: str
    pricing: str
    cost: tuple[float, ...]
    regulated: bool
    rate_path: str = ""
    """Input path of the rate it is priced at (Monte Carlo moves its cost in proportion)."""
    trend: float = 0.0
    """``price_trend_annual`` of its option."""


@dataclass(frozen=True)
class Reservation:
    """Reserved instances of ``gpus`` GPUs, ``cost`` per instance-month, for ``term`` months (None: to the
    horizon end)."""

    name: str
    option: str
    gpus: int
    cost: float
    term: int | None
    regulated: bool
    rate_path: str = ""
    trend: float = 0.0
    """``price_trend_annual``: a commitment signed in month t is priced at the trended rate of month t."""


@dataclass(frozen=True)
class Platform:
    """Owned servers: ``capex`` per server at purchase, ``residual`` fraction back at the horizon end,
    ``running`` per live server-month, ``busy`` per GPU-hour served, ``fixed_capex`` at month 1 and
    ``fixed_monthly`` every month once any server is bought; at most ``cap`` servers."""

    name: str
    options: tuple[str, ...]
    gpus: int
    lead: int
    capex: float
    residual: float
    running: float
    busy: float
    fixed_capex: float
    fixed_monthly: float
    cap: int
    regulated: bool
    path: str = ""
    """Input-path prefix of the option it comes from (``options.NAME.`` or ``options.NAME.onprem.``)."""
    power_path: str = "electricity_per_kwh"
    idle_power: float = 0.0
    """Of ``running``: idle power per live server-month."""
    maintenance: float = 0.0
    """Of ``running``: maintenance per live server-month (∝ capex)."""
    staff: float = 0.0
    """Of ``fixed_monthly``: staff per month."""


@dataclass(frozen=True)
class Candidates:
    """What the program may use, and each option's monthly fixed cost once it is used (``fixed``)."""

    platforms: tuple[Platform, ...]
    reservations: tuple[Reservation, ...]
    uses: tuple[UseSource, ...]
    fixed: dict[str, float]
    staff: dict[str, tuple[float, str]]
    """Of ``fixed``: staff per month and its cost's input path, per option."""
    classes: tuple[str, ...]
    """Per stream: "free", "regulated" or "latency"."""


@dataclass
class Plan:
    """The optimal plan, or ``status`` "infeasible" (no compliant capacity for some demand) / "time_limit".

    Arrays have one value per month. ``servers``: owned servers live per platform; ``bought``: servers bought
    per platform (paid that month, live after the lead time); ``reserved``: active reserved instances per
    reservation; ``gpu_hours``: GPU-hours served per source (platform, reservation or per-use source);
    ``cost``: cash per option per month; ``liability``: reservation months owed after the horizon (cash)."""

    status: str
    metric: str
    objective: float = math.nan
    total: float = math.nan
    liability: float = 0.0
    servers: dict[str, FloatArray] = field(default_factory=dict)
    bought: dict[str, FloatArray] = field(default_factory=dict)
    reserved: dict[str, FloatArray] = field(default_factory=dict)
    gpu_hours: dict[str, FloatArray] = field(default_factory=dict)
    cost: dict[str, FloatArray] = field(default_factory=dict)
    source_option: dict[str, str] = field(default_factory=dict)
    source_kind: dict[str, str] = field(default_factory=dict)
    terms: dict[str, int | None] = field(default_factory=dict)
    paid: dict[str, FloatArray] = field(default_factory=dict)
    """Cash paid per month per reservation."""
    parts: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    """Cash over the horizon by input driver: (amount, input paths it is proportional to) — Monte Carlo
    re-prices the plan's fixed decisions with them."""
    use_parts: list[tuple[int, float, float, str]] = field(default_factory=list)
    """Per-use GPU-hours: (stream, GPU-hours, cost per GPU-hour, rate path)."""
    fallback: tuple[float | None, ...] = ()
    """Per stream: cost per GPU-hour of the cheapest per-use source allowed for it (None: none)."""
    stream_gpu_hours: tuple[float, ...] = ()
    """Per stream: GPU-hours over the horizon in the base case."""
    stream_monthly: FloatArray | None = None
    """(streams, months): GPU-hours per stream and month in the base case."""
    owned_capacity: FloatArray | None = None
    """GPU-hours the owned servers can give per month; ``owned_served``: what they serve in the base case."""
    owned_served: FloatArray | None = None

    @property
    def feasible(self) -> bool:
        return self.status == "optimal"

    def shares(self) -> dict[str, float]:
        """Share of the plan's GPU-hours per option (options that serve nothing left out)."""
        by: dict[str, float] = {}
        for src, arr in self.gpu_hours.items():
            by[self.source_option[src]] = by.get(self.source_option[src], 0.0) + float(np.sum(arr))
        total = sum(by.values())
        return {k: v / total for k, v in by.items() if v > 1e-9 and total > 0}


# ------------------------------------------------------------------------------------------- candidates


def stream_classes(project: Project) -> tuple[str, ...]:
    """Per stream of :func:`planner.engine.cashflow.build_streams`, in its order: its rule class."""

    reg = regulation(project)
    d = project.demand
    out: list[str] = []
    if d.gpu_hours_per_month > 0:
        if d.regulated_fraction > 0:
            out.append("regulated")
        if d.regulated_fraction < 1:
            out.append("regulated" if reg.all_regulated else "free")
    for w in project.workloads:
        if w.runs_per_month * (w.gpu_hours_per_run or 0.0) <= 0:
            continue
        if w.regulated or reg.all_regulated:
            out.append("regulated")
        elif w.pinned_onprem:
            out.append("latency")
        else:
            out.append("free")
    return tuple(out)


def candidates(project: Project, ctx: Context) -> Candidates:
    """The program's candidates from the project's options (complete, allowed by the rules)."""
    reg = regulation(project)
    strict = bool(owned_needs_air_gap(project.compliance))
    p = Params()
    platforms: dict[tuple[object, ...], Platform] = {}
    reservations: list[Reservation] = []
    uses: list[UseSource] = []
    fixed: dict[str, float] = {}
    staff_of: dict[str, tuple[float, str]] = {}
    peak_width = _peak_width(ctx)

    def cloud_ok(c: CloudOption) -> bool:
        if not reg.regimes:
            return False
        return not cloud_verdicts(project.compliance, c)[0]

    def add_cloud(c: CloudOption, option: str, kind: str) -> None:
        if not project.mlops_team and not _is_managed_service(c):
            return
        if [k for k in _missing_prices(c, project.options) if not k.startswith("on_demand")]:
            return
        pre = f"options.{option}." if c.name == option else f"options.{option}.burst."
        storage = c.storage_per_tb_month * c.storage_tb
        egress = (
            float(egress_cost(c, c.egress_tb_per_month))
            if c.egress_tiers
            else c.egress_tb_per_month * c.egress_per_tb
        )
        staff = float(np.asarray(staff_terms(c, ctx, pre, kind, c.managed)))
        fixed[c.name] = (storage + egress) * (1.0 + c.support_rate) + staff + c.monthly_fixed
        staff_of[c.name] = (staff, pre + "fte_cost_annual")
        ok = cloud_ok(c)
        support = 1.0 + c.support_rate
        if c.pricing == "reserved":
            units = c.gpus_per_instance if c.rate_unit == "gpu" else 1
            rate = float(np.asarray(effective_rate(c, p, pre)))
            reservations.append(
                Reservation(
                    c.name,
                    option,
                    c.gpus_per_instance,
                    rate * ctx.hpm * units * support,
                    c.term_months,
                    ok,
                    pre + "rate_per_hour",
                    c.price_trend_annual,
                )
            )
            if c.on_demand_rate_per_hour is None:
                return
            od = CloudOption(
                name=c.name,
                rate_per_hour=c.on_demand_rate_per_hour * (1.0 + c.managed_premium),
                rate_unit=c.rate_unit,
                gpus_per_instance=c.gpus_per_instance,
                billing_increment_s=c.billing_increment_s,
                min_billing_s=c.min_billing_s,
            )
            cost = _use_costs(od, ctx, "_.", support)
            uses.append(
                UseSource(
                    f"{c.name} (on-demand)",
                    option,
                    "on_demand",
                    cost,
                    ok,
                    pre + "on_demand_rate_per_hour",
                    c.price_trend_annual,
                )
            )
            return
        uses.append(
            UseSource(
                c.name,
                option,
                c.pricing,
                _use_costs(c, ctx, pre, support),
                ok,
                pre + "rate_per_hour",
                c.price_trend_annual,
            )
        )

    def add_platform(o: OnPremOption, option: str, cap: int | None) -> None:
        if not project.mlops_team or _missing_prices(replace(o, bridge_option=None), ()):
            return
        if strict and not o.air_gapped:
            return
        pre = f"options.{option}." if o.name == option else f"options.{option}.onprem."
        maint = o.maintenance_rate_annual or 0.0
        kw_server = o.power_kw_per_server or 0.0
        capex = o.server_price * (1.0 + (o.network_fraction or 0.0))
        fixed_capex = (o.network_capex or 0.0) + o.storage_capex + o.other_capex
        pue = o.pue if o.pue is not None else project.pue
        elec = o.electricity_per_kwh if o.electricity_per_kwh is not None else project.electricity_per_kwh
        kw = kw_server * o.load_factor
        energy = 0.0 if o.colo_includes_power else pue * ctx.hpm * elec
        running = (
            capex * maint / 12.0
            + kw * o.idle_power_fraction * energy
            + kw_server * o.colo_per_kw_month
            + o.opex_annual_per_server / 12.0
        )
        busy = kw * (1.0 - o.idle_power_fraction) * energy / (o.gpus_per_server * ctx.hpm)
        staff = float(np.asarray(staff_terms(o, ctx, pre, "onprem", False)))
        fixed_monthly = fixed_capex * maint / 12.0 + o.licences_annual / 12.0 + staff + o.monthly_fixed
        limit = cap if cap is not None else max(o.servers, math.ceil(peak_width / o.gpus_per_server - 1e-9))
        key = (
            o.gpus_per_server,
            o.lead_time_months,
            capex,
            o.residual_fraction,
            running,
            busy,
            fixed_capex,
            fixed_monthly,
        )
        prev = platforms.get(key)
        if prev is not None:
            platforms[key] = Platform(
                prev.name,
                (*prev.options, option),
                prev.gpus,
                prev.lead,
                capex,
                prev.residual,
                running,
                busy,
                fixed_capex,
                fixed_monthly,
                max(prev.cap, limit),
                prev.regulated,
                prev.path,
                prev.power_path,
                prev.idle_power,
                prev.maintenance,
                prev.staff,
            )
            return
        platforms[key] = Platform(
            o.name,
            (option,),
            o.gpus_per_server,
            min(o.lead_time_months, ctx.h),
            capex,
            o.residual_fraction,
            running,
            busy,
            fixed_capex,
            fixed_monthly,
            limit,
            True,
            pre,
            pre + "electricity_per_kwh" if o.electricity_per_kwh is not None else "electricity_per_kwh",
            kw * o.idle_power_fraction * energy,
            capex * maint / 12.0,
            staff,
        )

    for opt in project.options:
        if isinstance(opt, HybridOption):
            add_platform(opt.onprem, opt.name, opt.onprem.servers)
            add_cloud(opt.burst, opt.name, "cloud")
        elif isinstance(opt, OnPremOption):
            add_platform(opt, opt.name, None)
        else:
            add_cloud(opt, opt.name, opt.kind)
    return Candidates(
        _prune_platforms(list(platforms.values())),
        tuple(reservations),
        _prune(uses, fixed),
        fixed,
        staff_of,
        stream_classes(project),
    )


def _use_costs(c: CloudOption, ctx: Context, pre: str, support: float) -> tuple[float, ...]:
    p = Params()
    rate = float(np.asarray(effective_rate(c, p, pre)))
    return tuple(float(np.asarray(billing_factor(c, s, p, pre))) * rate * support for s in ctx.streams)


def _prune(uses: list[UseSource], fixed: dict[str, float]) -> tuple[UseSource, ...]:
    """Drop a per-use source another beats on every stream, on fixed cost and on certification."""
    keep: list[UseSource] = []
    for u in uses:
        beaten = any(
            v is not u
            and v.option != u.option
            and all(a <= b for a, b in zip(v.cost, u.cost, strict=True))
            and fixed.get(v.name, 0.0) <= fixed.get(u.name, 0.0)
            and (v.regulated or not u.regulated)
            and (v.cost, fixed.get(v.name, 0.0), v.regulated) != (u.cost, fixed.get(u.name, 0.0), u.regulated)
            for v in uses
        )
        if not beaten:
            keep.append(u)
    return tuple(keep)


def _prune_platforms(platforms: list[Platform]) -> tuple[Platform, ...]:
    """Drop a platform another serves as well no later and for no more: same GPUs per server, a lead time
    no longer, every cost no higher, residual no lower, at least as many servers allowed."""

    def beats(a: Platform, b: Platform) -> bool:
        return (
            a.gpus == b.gpus
            and a.lead <= b.lead
            and a.capex <= b.capex
            and a.running <= b.running
            and a.busy <= b.busy
            and a.fixed_capex <= b.fixed_capex
            and a.fixed_monthly <= b.fixed_monthly
            and a.residual >= b.residual
            and a.cap >= b.cap
        )

    keep: list[Platform] = []
    for i, b in enumerate(platforms):
        if not any(beats(a, b) and (not beats(b, a) or j < i) for j, a in enumerate(platforms) if j != i):
            keep.append(b)
    return tuple(keep)


def _peak_width(ctx: Context) -> float:
    per = np.zeros(ctx.h)
    for la in layers(ctx):
        per[la.month] += la.width
    return float(per.max()) if per.size else 0.0


# ------------------------------------------------------------------------------------------- program


def plan(project: Project, *, mip_rel_gap: float = MIP_REL_GAP, time_limit_s: float = TIME_LIMIT_S) -> Plan:
    """The cheapest plan for ``project`` (workloads resolved): present value when the project sets a discount
    rate, else cash total."""
    ctx = make_context(project, Params())
    cands = candidates(project, ctx)
    return solve(project, ctx, cands, layers(ctx), mip_rel_gap=mip_rel_gap, time_limit_s=time_limit_s)


def yearly(rate_annual: float, months: int) -> FloatArray:
    """(1 + rate)^((m − 1)/12) for m = 1..months: a price trend or an escalation."""
    return np.power(1.0 + rate_annual, np.arange(months, dtype=np.float64) / 12.0)


def discount_factors(project: Project, months: int) -> FloatArray:
    m = np.arange(1, months + 1, dtype=np.float64)
    return np.power(1.0 + project.discount_rate_annual, -m / 12.0)


def solve(
    project: Project,
    ctx: Context,
    cands: Candidates,
    lays: Sequence[Layer],
    *,
    mip_rel_gap: float = MIP_REL_GAP,
    time_limit_s: float = TIME_LIMIT_S,
) -> Plan:
    """Build and solve the program (see the module docstring and docs/DECISION_MODEL.md §Plan)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array

    h = ctx.h
    metric = "present_value" if project.discount_rate_annual > 0 else "cash_total"
    longest = max([r.term or 0 for r in cands.reservations] + [0])
    disc = discount_factors(project, h + longest) if metric == "present_value" else np.ones(h + longest)
    elec = yearly(project.electricity_escalation_annual, h)
    sal = yearly(project.salary_escalation_annual, h)
    sal_sum = float((disc[:h] * sal).sum())
    cost: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    integ: list[int] = []

    def var(c: float, upper: float, integer: bool = False) -> int:
        cost.append(c)
        lo.append(0.0)
        hi.append(upper)
        integ.append(1 if integer else 0)
        return len(cost) - 1

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    rlo: list[float] = []
    rhi: list[float] = []

    def row(entries: Sequence[tuple[int, float]], low: float, high: float) -> None:
        r = len(rlo)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        rlo.append(low)
        rhi.append(high)

    # option binaries: the option's fixed monthly cost, every month, once it is used
    opened: dict[str, int] = {}
    for name, f in cands.fixed.items():
        if f > 0:
            staff = cands.staff.get(name, (0.0, ""))[0]
            opened[name] = var((f - staff) * float(disc[:h].sum()) + staff * sal_sum, 1.0, True)

    # platforms: servers bought per month (integer), and a binary for the platform's fixed costs
    buys: dict[int, list[int | None]] = {}
    used_k: dict[int, int] = {}
    for k, pf in enumerate(cands.platforms):
        col: list[int | None] = []
        for t in range(h):
            if t + pf.lead >= h:
                col.append(None)
                continue
            alive = slice(t + pf.lead, h)
            c = (
                pf.capex * (disc[t] - pf.residual * disc[h - 1])
                + (pf.running - pf.idle_power) * float(disc[alive].sum())
                + pf.idle_power * float((disc[:h] * elec)[alive].sum())
            )
            col.append(var(c, float(pf.cap), True))
        buys[k] = col
        fixed = (
            pf.fixed_capex * (disc[0] - pf.residual * disc[h - 1])
            + (pf.fixed_monthly - pf.staff) * float(disc[:h].sum())
            + pf.staff * sal_sum
        )
        u = var(fixed, 1.0, True)
        used_k[k] = u
        row([(b, 1.0) for b in col if b is not None] + [(u, -float(pf.cap))], -np.inf, 0.0)

    # reservations: instances starting per month (integer), active for their term
    starts: dict[int, list[int]] = {}
    max_inst = {r: math.ceil(_peak_width(ctx) / res.gpus - 1e-9) for r, res in enumerate(cands.reservations)}
    for r, res in enumerate(cands.reservations):
        col2: list[int] = []
        for t in range(h):
            term = res.term if res.term is not None else h - t
            c = res.cost * (1.0 + res.trend) ** (t / 12.0) * float(disc[t : t + term].sum())
            col2.append(var(c, float(max_inst[r]), True))
        starts[r] = col2
        if res.name in opened:
            row([(s, 1.0) for s in col2] + [(opened[res.name], -float(max_inst[r] * h))], -np.inf, 0.0)

    # layers: GPUs of each layer per source
    own_cols: dict[tuple[int, int], list[int]] = {}
    res_cols: dict[tuple[int, int], list[int]] = {}
    use_cols: dict[tuple[str, int], list[tuple[int, float]]] = {}
    layer_vars: list[list[tuple[str, str, int]]] = []
    for la in lays:
        cls = cands.classes[la.stream]
        entries: list[tuple[int, float]] = []
        mine: list[tuple[str, str, int]] = []
        for k, pf in enumerate(cands.platforms):
            if la.month < pf.lead:
                continue
            v = var(la.hours * pf.busy * disc[la.month] * elec[la.month], la.width)
            own_cols.setdefault((k, la.month), []).append(v)
            entries.append((v, 1.0))
            mine.append(("platform", pf.name, v))
        if cls != "latency":
            for r, res in enumerate(cands.reservations):
                if cls == "regulated" and not res.regulated:
                    continue
                v = var(0.0, la.width)
                res_cols.setdefault((r, la.month), []).append(v)
                entries.append((v, 1.0))
                mine.append(("reservation", res.name, v))
            for src in cands.uses:
                if cls == "regulated" and not src.regulated:
                    continue
                trend = (1.0 + src.trend) ** (la.month / 12.0)
                v = var(la.hours * src.cost[la.stream] * disc[la.month] * trend, la.width)
                use_cols.setdefault((src.name, la.month), []).append((v, la.width))
                entries.append((v, 1.0))
                mine.append(("use", src.name, v))
        if not entries:
            return Plan("infeasible", metric)
        row(entries, la.width, la.width)
        layer_vars.append(mine)
    for (k, m), vs in own_cols.items():
        pf = cands.platforms[k]
        live = [b for t, b in enumerate(buys[k]) if b is not None and t + pf.lead <= m]
        row([(v, 1.0) for v in vs] + [(b, -float(pf.gpus)) for b in live], -np.inf, 0.0)
    for (r, m), vs in res_cols.items():
        res = cands.reservations[r]
        active = [
            s for t, s in enumerate(starts[r]) if t <= m < t + (res.term if res.term is not None else h - t)
        ]
        row([(v, 1.0) for v in vs] + [(s, -float(res.gpus)) for s in active], -np.inf, 0.0)
    for (name, _m), vws in use_cols.items():
        use = next(x for x in cands.uses if x.name == name)
        flag = opened.get(_option_key(use))
        if flag is not None:
            row([(v, 1.0) for v, _ in vws] + [(flag, -sum(w for _, w in vws))], -np.inf, 0.0)

    n = len(cost)
    a = csr_array((vals, (rows, cols)), shape=(len(rlo), n))
    res_ = milp(
        np.asarray(cost),
        integrality=np.asarray(integ),
        bounds=Bounds(np.asarray(lo), np.asarray(hi)),
        constraints=LinearConstraint(a, np.asarray(rlo), np.asarray(rhi)),
        options={"mip_rel_gap": mip_rel_gap, "time_limit": time_limit_s, "presolve": True},
    )
    if res_.x is None:
        return Plan("infeasible" if res_.status == 2 else "time_limit", metric)
    x = np.asarray(res_.x)
    return _read(
        project, ctx, cands, lays, x, buys, used_k, starts, opened, layer_vars, metric, float(res_.fun)
    )


def _option_key(src: UseSource) -> str:
    """The name under which a per-use source's option fixed cost is opened (the cloud option's own name)."""
    base = src.name[: -len(" (on-demand)")] if src.name.endswith(" (on-demand)") else src.name
    return base


def _read(
    project: Project,
    ctx: Context,
    cands: Candidates,
    lays: Sequence[Layer],
    x: FloatArray,
    buys: dict[int, list[int | None]],
    used_k: dict[int, int],
    starts: dict[int, list[int]],
    opened: dict[str, int],
    layer_vars: list[list[tuple[str, str, int]]],
    metric: str,
    objective: float,
) -> Plan:
    h = ctx.h
    out = Plan("optimal", metric, objective=objective)
    elec = yearly(project.electricity_escalation_annual, h)
    sal = yearly(project.salary_escalation_annual, h)
    cost_by: dict[str, FloatArray] = {}

    def add_cost(option: str, arr: FloatArray) -> None:
        cost_by[option] = cost_by.get(option, np.zeros(h)) + arr

    for k, pf in enumerate(cands.platforms):
        bought = np.array([round(float(x[b])) if b is not None else 0.0 for b in buys[k]])
        live = np.zeros(h)
        for t, nb in enumerate(bought):
            if nb:
                live[t + pf.lead :] += nb
        if not bought.any():
            continue
        c = (
            bought * pf.capex
            + live * (pf.running - pf.idle_power)
            + live * pf.idle_power * elec
            + (pf.fixed_monthly - pf.staff)
            + pf.staff * sal
        )
        c[0] += pf.fixed_capex
        c[-1] -= pf.residual * (float(bought.sum()) * pf.capex + pf.fixed_capex)
        out.servers[pf.name] = live
        out.bought[pf.name] = bought
        out.source_option[pf.name] = pf.options[0]
        out.source_kind[pf.name] = "owned"
        add_cost(pf.options[0], c)
    for r, res in enumerate(cands.reservations):
        st = np.array([round(float(x[s])) for s in starts[r]])
        if not st.any():
            continue
        active = np.zeros(h)
        paid = np.zeros(h)
        after = 0.0
        for t, ns in enumerate(st):
            term = res.term if res.term is not None else h - t
            signed = res.cost * (1.0 + res.trend) ** (t / 12.0)
            active[t : min(h, t + term)] += ns
            paid[t : min(h, t + term)] += ns * signed
            after += ns * max(0, t + term - h) * signed
        out.reserved[res.name] = active
        out.terms[res.name] = res.term
        out.liability += after
        out.source_option[res.name] = res.option
        out.source_kind[res.name] = "reserved"
        out.paid[res.name] = paid
        add_cost(res.option, paid)
    uses = {u.name: u for u in cands.uses}
    for pf in cands.platforms:
        if pf.name not in out.bought:
            continue
        n_bought = float(out.bought[pf.name].sum())
        live_months = float(out.servers[pf.name].sum())
        price, resid = pf.path + "server_price", pf.path + "residual_fraction"
        out.parts += [
            (n_bought * pf.capex, (price,)),
            (-pf.residual * n_bought * pf.capex, (price, resid)),
            (-pf.residual * pf.fixed_capex, (resid,)),
            (live_months * pf.maintenance, (price,)),
            (float((out.servers[pf.name] * elec).sum()) * pf.idle_power, (pf.power_path,)),
            (live_months * (pf.running - pf.maintenance - pf.idle_power), ()),
            (float(sal.sum()) * pf.staff, (pf.path + "fte_cost_annual",)),
            (pf.fixed_capex + h * (pf.fixed_monthly - pf.staff), ()),
        ]
    for res in cands.reservations:
        if res.name in out.reserved:
            out.parts.append((float(out.paid[res.name].sum()), (res.rate_path,)))
    for la, mine in zip(lays, layer_vars, strict=True):
        for kind, name, v in mine:
            gpus = float(x[v])
            if gpus <= 1e-9:
                continue
            arr = out.gpu_hours.setdefault(name, np.zeros(h))
            arr[la.month] += gpus * la.hours
            if kind == "platform":
                pf = next(p for p in cands.platforms if p.name == name)
                out.parts.append((gpus * la.hours * pf.busy * elec[la.month], (pf.power_path,)))
            if kind == "use":
                u = uses[name]
                per = u.cost[la.stream] * (1.0 + u.trend) ** (la.month / 12.0)
                out.use_parts.append((la.stream, gpus * la.hours, per, u.rate_path))
                out.source_option[name] = u.option
                out.source_kind[name] = u.pricing
                c = np.zeros(h)
                c[la.month] = gpus * la.hours * per
                add_cost(u.option, c)
            elif kind == "platform":
                pf = next(p for p in cands.platforms if p.name == name)
                c = np.zeros(h)
                c[la.month] = gpus * la.hours * pf.busy * elec[la.month]
                add_cost(pf.options[0], c)
    for name, b in opened.items():
        if x[b] > 0.5:
            option = next(
                (u.option for u in cands.uses if _option_key(u) == name),
                next((r.option for r in cands.reservations if r.name == name), name),
            )
            staff, path = cands.staff.get(name, (0.0, ""))
            add_cost(option, np.full(h, cands.fixed[name] - staff) + staff * sal)
            out.parts += [(float(sal.sum()) * staff, (path,)), (h * (cands.fixed[name] - staff), ())]
    streams = len(cands.classes)
    out.stream_gpu_hours = tuple(sum(la.gpu_hours for la in lays if la.stream == i) for i in range(streams))
    monthly = np.zeros((streams, h))
    for la in lays:
        monthly[la.stream, la.month] += la.gpu_hours
    out.stream_monthly = monthly
    capacity = np.zeros(h)
    served = np.zeros(h)
    for pf in cands.platforms:
        if pf.name in out.servers:
            capacity += out.servers[pf.name] * pf.gpus * ctx.hpm
            served += out.gpu_hours.get(pf.name, np.zeros(h))
    out.owned_capacity, out.owned_served = capacity, served
    out.fallback = tuple(
        min(
            (
                u.cost[i]
                for u in cands.uses
                if cands.classes[i] != "latency" and (cands.classes[i] != "regulated" or u.regulated)
            ),
            default=None,
        )
        for i in range(streams)
    )
    out.cost = cost_by
    out.total = float(sum(float(a.sum()) for a in cost_by.values()))
    return out
