"""The vectorised cash-flow model behind :mod:`planner.engine.tco`.

Every input may be a plain number or an array of shape (S, 1) — one value per sample (Monte Carlo draws,
tornado perturbations, candidate hybrid splits). Each cost term is a :class:`Term`: a coefficient
(number, (S, 1), (1, H) or (S, H)) times a month weight vector (H,), so that totals and present values
are dot products and per-sample constants never expand to (S, H).

Formulas (documented in docs/PROJECT_FORMAT.md §Model):
- demand stream s, month m: D[s, m] GPU-hours; jobs keep their size, growth adds jobs;
- cloud billed units = Σ_s D[s, m] × factor_s, factor_s = billed units per demanded GPU-hour after spot
  overhead and per-job rounding (increment, minimum, whole instances);
- owned capacity = servers × GPUs/server × hours/month after the lead time; served = E[min(load, capacity)]
  with the load uniform on [D(2 − p), D p] within the month (p = peak factor; p = 1: min(D, capacity)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.project import CloudOption, HybridOption, OnPremOption, Option, Project
from planner.staffing import deployment_model_for, fte_for

FloatArray = npt.NDArray[np.float64]
Num = float | FloatArray
ROUND_EPS = 1e-9
"""Guard so that a job of exactly N increments is not billed N + 1 because of float noise."""


@dataclass
class Term:
    """coef × weights: coef is a number or an array broadcastable to (S, H); weights has shape (H,)."""

    coef: Num
    weights: FloatArray | None = None
    scale: Num = 1.0

    def dot(self, w: FloatArray) -> FloatArray:
        """Σ_m coef[:, m] × weights[m] × w[m] × scale, shape (S,) (or (1,) when nothing varies by sample)."""
        ww = w if self.weights is None else w * self.weights
        c = np.asarray(self.coef, dtype=np.float64)
        if c.ndim == 0:
            out = np.array([float(c) * float(ww.sum())])
        elif c.shape[-1] == 1:
            out = c.reshape(-1) * float(ww.sum())
        else:
            out = c @ ww
        if np.ndim(self.scale) == 0:
            k = float(self.scale)
            return out * k if k != 1.0 else out
        result: FloatArray = out * np.asarray(self.scale, dtype=np.float64).reshape(-1)
        return result

    def monthly(self, h: int) -> FloatArray:
        """Monthly values, shape (S, H) (S = 1 for sample-free terms)."""
        c = np.asarray(self.coef, dtype=np.float64)
        w = np.ones(h) if self.weights is None else self.weights
        return np.atleast_2d(c * w * self.scale)


@dataclass
class Stream:
    """A demand stream: GPU-hours per month = ``base`` (1|S, H) × ``scale`` (number or (S, 1)), kept apart so
    linear terms cost O(samples); ``job_gpu_hours`` None = continuous use."""

    name: str
    base: FloatArray
    job_gpu_hours: float | None
    gpus_per_job: int
    pinned: bool
    scale: Num = 1.0

    _cache: FloatArray | None = field(default=None, repr=False, compare=False)

    @property
    def gpu_hours(self) -> FloatArray:
        """base × scale, computed once (the arrays are not modified in place anywhere)."""
        if self._cache is None:
            self._cache = np.atleast_2d(self.base * self.scale)
        return self._cache


@dataclass
class OptionFlows:
    """Terms of one option (cash and amortised views) and the per-month served GPU-hours and utilisation."""

    cash: dict[str, Term]
    amortised: dict[str, Term]
    served: FloatArray  # (S|1, H) GPU-hours delivered
    utilization: FloatArray | None  # (S|1, H) owned options
    idle: FloatArray  # (S|1,) cost of unused owned/committed capacity over the horizon
    details: dict[str, Any] = field(default_factory=dict)
    unserved: FloatArray | None = None
    per_stream: list[FloatArray] | None = None


class Params:
    """Numeric inputs with per-sample overrides keyed by canonical path (see planner.project.InputRange)."""

    def __init__(self, overrides: Mapping[str, FloatArray] | None = None) -> None:
        self.overrides = {
            k: np.asarray(v, dtype=np.float64).reshape(-1, 1) for k, v in (overrides or {}).items()
        }

    def get(self, path: str, value: float) -> Num:
        arr = self.overrides.get(path)
        return value if arr is None else arr

    def has(self, path: str) -> bool:
        return path in self.overrides


@dataclass
class Context:
    """Shared per-evaluation values: horizon, hours per month, demand streams, project-level inputs."""

    project: Project
    params: Params
    h: int
    hpm: float
    streams: list[Stream]
    peak_factor: float
    electricity: Num
    pue: Num
    lean: bool = False
    """Totals only (Monte Carlo, tornado): skip idle cost, unserved demand and utilisation arrays."""
    _live_loads: dict[int, list[FloatArray]] = field(default_factory=dict, repr=False)

    def live_loads(self, lead: int) -> list[FloatArray]:
        """Per-stream GPU-hours with the months before ``lead`` zeroed (shared by options with that lead)."""
        if lead not in self._live_loads:
            if lead == 0:
                self._live_loads[lead] = [s.gpu_hours for s in self.streams]
            else:
                live = np.zeros(self.h)
                live[lead:] = 1.0
                self._live_loads[lead] = [np.atleast_2d((s.base * live) * s.scale) for s in self.streams]
        return self._live_loads[lead]

    @property
    def total_demand(self) -> FloatArray:
        return sum((s.gpu_hours for s in self.streams), start=np.zeros((1, self.h)))


# ------------------------------------------------------------------------------------------- demand


def growth_curve(h: int, growth_annual: Num, profile: tuple[float, ...] = ()) -> FloatArray:
    """Multiplier per month m = 1..h: (1 + g)^((m − 1)/12) × profile[(m − 1) % len(profile)]; (1|S, H)."""
    m = np.arange(h, dtype=np.float64)
    g = np.asarray(growth_annual, dtype=np.float64)
    curve = np.power(1.0 + g, m / 12.0) if g.ndim else np.power(1.0 + float(g), m / 12.0)
    if profile:
        prof = np.array([profile[i % len(profile)] for i in range(h)], dtype=np.float64)
        curve = curve * prof
    return np.atleast_2d(curve)


def escalation(h: int, rate_annual: float) -> FloatArray | None:
    """Month weights (1 + rate)^((m − 1)/12), m = 1..h; None for no change (rate 0)."""
    if rate_annual == 0:
        return None
    out: FloatArray = np.power(1.0 + rate_annual, np.arange(h, dtype=np.float64) / 12.0)
    return out


def _times(a: FloatArray | None, b: FloatArray | None) -> FloatArray | None:
    if a is None:
        return b
    return a if b is None else a * b


def build_streams(project: Project, params: Params) -> list[Stream]:
    """Demand streams from the project's ``demand`` block (split into regulated and free parts) and its
    resolved workloads. ``demand.scale`` (Monte Carlo only) multiplies every stream."""
    h = project.horizon_months
    d = project.demand
    scale = params.get("demand.scale", 1.0)
    streams: list[Stream] = []
    base = params.get("demand.gpu_hours_per_month", d.gpu_hours_per_month)
    curve = growth_curve(h, params.get("demand.growth_annual", d.growth_annual), d.monthly_profile)
    job = (
        d.gpu_hours_per_month / d.jobs_per_month
        if d.jobs_per_month > 0 and d.gpu_hours_per_month > 0
        else None
    )
    if d.gpu_hours_per_month > 0 or params.has("demand.gpu_hours_per_month"):
        if np.ndim(base) == 0:
            shape, factor = np.atleast_2d(float(base) * curve), scale
        else:
            shape, factor = np.atleast_2d(curve), np.asarray(base) * scale
        reg = d.regulated_fraction
        if reg > 0:
            streams.append(Stream("demand (regulated)", shape * reg, job, d.gpus_per_job, True, factor))
        if reg < 1:
            streams.append(Stream("demand", shape * (1.0 - reg), job, d.gpus_per_job, False, factor))
    for w in project.workloads:
        if w.gpu_hours_per_run is None:
            raise ValueError(
                f"workload {w.name!r} is not resolved: resolve it first (planner.analysis.analyse)"
            )
        monthly = w.runs_per_month * w.gpu_hours_per_run
        if monthly <= 0:
            continue
        wc = growth_curve(h, w.growth_annual)
        streams.append(
            Stream(
                w.name,
                np.atleast_2d(monthly * wc),
                w.gpu_hours_per_run if w.gpu_hours_per_run > 0 else None,
                w.gpus,
                w.regulated or w.pinned_onprem,
                scale,
            )
        )
    return streams


def make_context(project: Project, params: Params, lean: bool = False) -> Context:
    return Context(
        lean=lean,
        project=project,
        params=params,
        h=project.horizon_months,
        hpm=project.hours_per_month,
        streams=build_streams(project, params),
        peak_factor=project.demand.peak_factor,
        electricity=params.get("electricity_per_kwh", project.electricity_per_kwh),
        pue=params.get("pue", project.pue),
    )


# ------------------------------------------------------------------------------------------- cloud


def effective_rate(opt: CloudOption, p: Params, prefix: str) -> Num:
    """Rate actually paid per billed unit: rate × (1 + managed premium) × (1 − discount)."""
    rate = p.get(prefix + "rate_per_hour", opt.rate_per_hour)
    prem = p.get(prefix + "managed_premium", opt.managed_premium)
    disc = p.get(prefix + "discount", opt.discount)
    return rate * (1.0 + prem) * (1.0 - disc)


def billing_factor(opt: CloudOption, stream: Stream, p: Params, prefix: str) -> Num:
    """Billed units (instance-hours or GPU-hours, per ``rate_unit``) per demanded GPU-hour of ``stream``."""
    overhead = p.get(prefix + "spot_overhead", opt.spot_overhead) if opt.pricing == "spot" else 0.0
    gpi = opt.gpus_per_instance
    if stream.job_gpu_hours is None:
        per_gpu_hour = 1.0 + overhead
        return per_gpu_hour / gpi if opt.rate_unit == "instance" else per_gpu_hour
    g = stream.gpus_per_job or gpi
    k = math.ceil(g / gpi)
    wall_s = stream.job_gpu_hours / g * 3600.0 * (1.0 + overhead)
    inc = opt.billing_increment_s
    billed_s = np.maximum(opt.min_billing_s, np.ceil(np.asarray(wall_s) / inc - ROUND_EPS) * inc)
    units_per_job = billed_s / 3600.0 * (k if opt.rate_unit == "instance" else g)
    factor = units_per_job / stream.job_gpu_hours
    return float(factor) if np.ndim(factor) == 0 else factor


def peak_instances(opt: CloudOption, ctx: Context, bases: list[FloatArray], scales: list[Num]) -> FloatArray:
    """Instances needed at once in the busiest month, (S|1, 1): Σ over streams of the GPUs each runs at once —
    a stream of jobs of g GPUs (g = its job size, else one instance) runs ⌈D / (g × hours)⌉ jobs at once, a
    fluid stream D / hours × peak factor GPUs — over GPUs per instance, rounded up."""
    gpus: Num = 0.0
    for st, base, sc in zip(ctx.streams, bases, scales, strict=True):
        d = np.atleast_2d(base * sc)
        if st.job_gpu_hours is None:
            gpus = gpus + d / ctx.hpm * ctx.peak_factor
        else:
            g = float(st.gpus_per_job or opt.gpus_per_instance)
            gpus = gpus + np.ceil(d / (g * ctx.hpm) - ROUND_EPS) * g
    peak = np.max(np.atleast_2d(np.asarray(gpus, dtype=np.float64)), axis=1, keepdims=True)
    out: FloatArray = np.maximum(np.ceil(peak / opt.gpus_per_instance - ROUND_EPS), 0.0)
    return out


def egress_cost(opt: CloudOption, tb: Num) -> Num:
    """Monthly egress cost for ``tb`` TB: tiered (cumulative within the month) when tiers are given."""
    if not opt.egress_tiers:
        return tb * opt.egress_per_tb
    cost: Num = 0.0
    prev = 0.0
    for upto, price in opt.egress_tiers:
        top = np.inf if upto is None else upto
        cost = cost + np.clip(np.asarray(tb) - prev, 0.0, top - prev) * price
        prev = top
    return float(cost) if np.ndim(cost) == 0 else cost


def staff_terms(opt: Option, ctx: Context, prefix: str, kind: str, managed: bool) -> Num:
    """Monthly staff cost: (staff_fte + table FTEs if ``staff_from_table``) × loaded annual cost / 12."""
    fte: Num = ctx.params.get(prefix + "staff_fte", opt.staff_fte or 0.0)
    if opt.staff_from_table:
        pr = ctx.project
        fte = fte + fte_for(
            deployment_model_for(kind, managed), pr.mlops_stack, pr.fte_point, pr.staffing_table
        )
    cost = ctx.params.get(prefix + "fte_cost_annual", opt.fte_cost_annual or 0.0)
    return fte * cost / 12.0


def cloud_flows(
    opt: CloudOption,
    ctx: Context,
    prefix: str,
    shares: list[FloatArray] | None = None,
    fixed: Mapping[str, Any] | None = None,
    kind: str | None = None,
    share_scale: Num = 1.0,
) -> OptionFlows:
    """Cloud (or managed-Kubernetes) option serving every stream, or ``shares`` × ``share_scale`` (per-stream
    GPU-hours). Billed units are linear in demand, so unless a commitment makes them nonlinear the compute
    term stays factored (month shape × per-sample scale)."""
    p = ctx.params
    h = ctx.h
    if shares is None:
        bases = [s.base for s in ctx.streams]
        scales = [s.scale for s in ctx.streams]
    else:
        bases, scales = shares, [share_scale] * len(shares)
    common = all(sc is scales[0] for sc in scales) if scales else True
    lin: Num = 0.0
    for st, base, sc in zip(ctx.streams, bases, scales, strict=True):
        f = billing_factor(opt, st, p, prefix)
        lin = lin + (base * f if common else base * sc * f)
    lin_arr = np.atleast_2d(np.asarray(lin, dtype=np.float64) * np.ones((1, h)))
    lin_scale: Num = scales[0] if (common and scales) else 1.0
    units_arr = lin_arr if (np.ndim(lin_scale) == 0 and lin_scale == 1.0) else lin_arr * lin_scale
    demand = [np.atleast_2d(b * sc) for b, sc in zip(bases, scales, strict=True)] if not ctx.lean else []
    rate = effective_rate(opt, p, prefix)
    cash: dict[str, Term] = {}
    idle: FloatArray = np.zeros(1)
    details: dict[str, Any] = {}
    if opt.pricing == "reserved":
        unit_per_instance = opt.gpus_per_instance if opt.rate_unit == "gpu" else 1
        committed = (fixed or {}).get("committed_instances", opt.committed_instances)
        if committed is None:  # sized to the most instances each row's demand needs at once
            committed = peak_instances(opt, ctx, bases, scales)
            if committed.size == 1:
                committed = int(committed.reshape(-1)[0])
        capacity_units = committed * ctx.hpm * unit_per_instance
        details["committed_instances"] = committed
        cash["compute_commitment"] = Term(rate * capacity_units)
        od = opt.on_demand_rate_per_hour if opt.on_demand_rate_per_hour is not None else 0.0
        od_rate = p.get(prefix + "on_demand_rate_per_hour", od) * (
            1.0 + p.get(prefix + "managed_premium", opt.managed_premium)
        )
        over = np.maximum(units_arr - capacity_units, 0.0)
        trend = escalation(h, opt.price_trend_annual)
        if trend is not None:  # the commitment keeps its signed rate; use above it follows the trend
            over = over * trend
        cash["compute_overflow"] = Term(over * od_rate)
        unused = np.maximum(capacity_units - units_arr, 0.0)
        idle = (unused * rate) @ np.ones(h) if np.ndim(rate) == 0 else (unused * rate).sum(axis=1)
        compute_monthly: Num | None = rate * capacity_units + over * od_rate
    else:
        cash["compute"] = Term(lin_arr, escalation(h, opt.price_trend_annual), rate * lin_scale)
        compute_monthly = None
    storage = p.get(prefix + "storage_per_tb_month", opt.storage_per_tb_month) * opt.storage_tb
    if opt.egress_tiers:
        egress = egress_cost(opt, p.get(prefix + "egress_tb_per_month", opt.egress_tb_per_month))
    else:
        egress = p.get(prefix + "egress_tb_per_month", opt.egress_tb_per_month) * p.get(
            prefix + "egress_per_tb", opt.egress_per_tb
        )
    cash["storage"] = Term(storage)
    cash["egress"] = Term(egress)
    if opt.support_rate:
        if compute_monthly is None:  # factored compute: support on it is factored too
            cash["support"] = Term((storage + egress) * opt.support_rate)
            cash["support_usage"] = Term(
                lin_arr, escalation(h, opt.price_trend_annual), rate * lin_scale * opt.support_rate
            )
        else:
            cash["support"] = Term((compute_monthly + storage + egress) * opt.support_rate)
    cash["staff"] = Term(
        staff_terms(opt, ctx, prefix, kind or opt.kind, opt.managed),
        escalation(h, ctx.project.salary_escalation_annual),
    )
    cash["fixed"] = Term(p.get(prefix + "monthly_fixed", opt.monthly_fixed))
    served = np.atleast_2d(sum(demand, start=np.zeros((1, h))))
    return OptionFlows(
        cash=cash, amortised=dict(cash), served=served, utilization=None, idle=idle, details=details
    )


# ------------------------------------------------------------------------------------------- owned


def served_by_capacity(load: FloatArray, capacity: Num, peak_factor: float) -> FloatArray:
    """E[min(L, C)] with L uniform on [D(2 − p), D p] (mean D = ``load``), GPU-hours; p = 1 → min(D, C)."""
    if peak_factor <= 1.0:
        return np.minimum(load, capacity)
    a = load * (2.0 - peak_factor)
    b = load * peak_factor
    c = np.broadcast_to(capacity, np.broadcast_shapes(np.shape(load), np.shape(capacity)))
    width = np.where(b > a, b - a, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):  # only used where a < c < b, where it is finite
        partial = ((c * c - a * a) / 2.0 + c * (b - c)) / width
    return np.where(c >= b, load, np.where(c <= a, c, partial))


def _out(a: FloatArray, b: FloatArray) -> FloatArray | None:
    """``a`` as the output buffer of a binary ufunc on (a, b) when it already has the result's shape."""
    return a if a.shape == np.broadcast_shapes(a.shape, b.shape) else None


def place_streams(ctx: Context, loads: list[FloatArray], gpus: FloatArray) -> list[FloatArray]:
    """GPU-hours of each stream the owned fleet serves, per month. ``gpus``: owned GPUs live (1|S, H).

    Pinned streams first, then the others in project order. A stream of jobs of g GPUs runs whole jobs only:
    it gets min(free slots, jobs it runs at once on average rounded up) slots of g GPUs, serving at most
    slots × g × hours. A stream without a job size is fluid: it fills the free GPU-hours, limited by the
    within-month peak factor (:func:`served_by_capacity`). Each stream then takes its GPUs off the free pool.
    """
    hpm = ctx.hpm
    free = np.atleast_2d(np.asarray(gpus, dtype=np.float64))
    out: list[FloatArray] = [np.zeros((1, ctx.h)) for _ in loads]
    order = [i for i, s in enumerate(ctx.streams) if s.pinned] + [
        i for i, s in enumerate(ctx.streams) if not s.pinned
    ]
    own_free = False  # free is written in place only once it is our own array
    for i in order:
        stream, load = ctx.streams[i], loads[i]
        if stream.gpus_per_job > 0:
            # same operations as slots = floor(free/g + eps), need = ceil(load/(g h) - eps),
            # served = min(load, min(slots, need) g h), written in place (arrays of samples × months)
            g = float(stream.gpus_per_job)
            slots = free / g
            slots += ROUND_EPS
            np.floor(slots, out=slots)
            need = load / (g * hpm)
            need -= ROUND_EPS
            np.ceil(need, out=need)
            use = np.minimum(slots, need, out=_out(need, slots))
            np.multiply(use, g, out=use)  # GPUs taken
            served = use * hpm
            np.minimum(load, served, out=_out(served, load))
            if own_free and free.shape == np.broadcast_shapes(free.shape, use.shape):
                np.subtract(free, use, out=free)
            else:
                free, own_free = free - use, True
        else:
            served = served_by_capacity(load, free * hpm, ctx.peak_factor)
            free, own_free = free - served / hpm, True
        out[i] = np.atleast_2d(served)
    return out


def unit_loan(rate_annual: Num, n: int, h: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per unit of principal: payments (months 1..min(n, h)), interest part of each, payoff of the balance left
    at month h (in month h). Shapes (1|S, H). Annuity at rate/12 a month; 0 % → equal principal parts."""
    r = np.atleast_2d(np.asarray(rate_annual, dtype=np.float64)) / 12.0
    m = np.arange(1, h + 1, dtype=np.float64)[None, :]
    safe_r = np.where(r > 0, r, 1.0)
    pay = np.where(r > 0, safe_r / (1.0 - np.power(1.0 + safe_r, -n)), 1.0 / n)
    grow_prev = np.power(1.0 + r, m - 1.0)
    bal_prev = np.where(r > 0, grow_prev - pay * (grow_prev - 1.0) / safe_r, 1.0 - pay * (m - 1.0))
    active = m <= n
    payments = np.where(active, pay, 0.0) * np.ones_like(bal_prev)
    interest = np.where(active, bal_prev * r, 0.0)
    grow_h = np.power(1.0 + r, float(h))
    bal_h = np.where(r > 0, grow_h - pay * (grow_h - 1.0) / safe_r, 1.0 - pay * h)
    payoff = np.zeros_like(bal_prev)
    if n > h:
        payoff[:, h - 1] = np.maximum(bal_h[:, 0], 0.0)
    return payments, interest, payoff


def onprem_flows(
    opt: OnPremOption,
    ctx: Context,
    prefix: str,
    loads: list[FloatArray] | None = None,
    servers: Num | None = None,
    bridge: CloudOption | None = None,
    kind: str = "onprem",
) -> OptionFlows:
    """Owned option. ``loads`` (per stream) defaults to all demand; ``servers`` may be an (S, 1) array of
    candidate fleet sizes; ``bridge`` takes the demand of the months before go-live."""
    p = ctx.params
    h, hpm = ctx.h, ctx.hpm
    n: Num = opt.servers if servers is None else servers
    lead = min(opt.lead_time_months, h)
    live = np.zeros(h)
    live[lead:] = 1.0
    gpus = np.atleast_2d(n * opt.gpus_per_server * live)  # (1|S, H) owned GPUs live each month
    capacity = gpus * hpm
    if loads is None:
        live_loads = ctx.live_loads(lead)
    else:
        live_loads = [np.atleast_2d(d * live) for d in loads]
    per_stream = place_streams(ctx, live_loads, gpus)
    served = np.atleast_2d(sum(per_stream, start=np.zeros((1, h))))
    util = None if ctx.lean else np.where(capacity > 0, served / np.where(capacity > 0, capacity, 1.0), 0.0)

    price = p.get(prefix + "server_price", opt.server_price)
    server_capex = n * price
    capex = (
        server_capex * (1.0 + p.get(prefix + "network_fraction", opt.network_fraction or 0.0))
        + p.get(prefix + "network_capex", opt.network_capex or 0.0)
        + p.get(prefix + "storage_capex", opt.storage_capex)
        + p.get(prefix + "other_capex", opt.other_capex)
    )
    residual = p.get(prefix + "residual_fraction", opt.residual_fraction)
    first = np.zeros(h)
    first[0] = 1.0
    last = np.zeros(h)
    last[-1] = 1.0
    cash: dict[str, Term] = {}
    amort: dict[str, Term] = {}
    if opt.finance_rate_annual is None:
        cash["capex"] = Term(capex, first)
    else:
        months = opt.finance_months or opt.depreciation_months
        pay, interest, payoff = unit_loan(
            p.get(prefix + "finance_rate_annual", opt.finance_rate_annual), months, h
        )
        cash["financing"] = Term(
            np.asarray(capex) * (pay + payoff) if np.ndim(capex) else capex * (pay + payoff)
        )
        amort["interest"] = Term(np.asarray(capex) * interest if np.ndim(capex) else capex * interest)
    cash["residual"] = Term(-residual * capex, last)
    dep = np.zeros(h)  # from go-live: hardware not yet delivered does not depreciate
    in_service = min(opt.depreciation_months, h - lead)
    dep[lead : lead + in_service] = 1.0
    amort["depreciation"] = Term(capex * (1.0 - residual) / opt.depreciation_months, dep)
    # Both views dispose of the hardware at the horizon end for the same residual value. When the horizon is
    # shorter than the depreciation life, the book value still on the books (capex − accumulated
    # depreciation) exceeds that residual value by capex × (1 − residual) × (1 − months in service / life):
    # a loss on disposal charged in the last month, so the amortised total of the capital equals capex − residual,
    # as in the cash view (the views then differ only in timing and in loan principal vs interest).
    unwritten = 1.0 - in_service / opt.depreciation_months
    if unwritten > 0:
        amort["disposal"] = Term(capex * (1.0 - residual) * unwritten, last)

    kw_server = p.get(prefix + "power_kw_per_server", opt.power_kw_per_server or 0.0)
    load_factor = p.get(prefix + "load_factor", opt.load_factor)
    idle_frac = opt.idle_power_fraction
    pue = p.get(prefix + "pue", opt.pue) if opt.pue is not None else ctx.pue
    elec = (
        p.get(prefix + "electricity_per_kwh", opt.electricity_per_kwh)
        if opt.electricity_per_kwh is not None
        else ctx.electricity
    )
    if not opt.colo_includes_power:
        # draw (kW) = idle part on every live month + busy part in proportion to GPU-hours served
        energy_price = pue * hpm * elec
        idle_kw = n * kw_server * load_factor * idle_frac
        busy_kw_per_gpu_hour = kw_server * load_factor * (1.0 - idle_frac) / (opt.gpus_per_server * hpm)
        power_w = escalation(h, ctx.project.electricity_escalation_annual)
        cash["power"] = Term(idle_kw * energy_price, _times(live, power_w))
        cash["power_busy"] = Term(served, power_w, busy_kw_per_gpu_hour * energy_price)
    colo_rate = p.get(prefix + "colo_per_kw_month", opt.colo_per_kw_month)
    cash["colocation"] = Term(n * kw_server * colo_rate, live)
    cash["maintenance"] = Term(
        capex * p.get(prefix + "maintenance_rate_annual", opt.maintenance_rate_annual or 0.0) / 12.0, live
    )
    cash["server_opex"] = Term(
        n * p.get(prefix + "opex_annual_per_server", opt.opex_annual_per_server) / 12.0, live
    )
    cash["licences"] = Term(p.get(prefix + "licences_annual", opt.licences_annual) / 12.0, live)
    cash["staff"] = Term(
        staff_terms(opt, ctx, prefix, kind, False), escalation(h, ctx.project.salary_escalation_annual)
    )
    cash["fixed"] = Term(p.get(prefix + "monthly_fixed", opt.monthly_fixed))
    details: dict[str, Any] = {"capex": capex, "servers": n}

    served_total = served
    if bridge is not None and lead > 0:
        pre = np.zeros(h)
        pre[:lead] = 1.0
        # bridge months are billed per use: no commitment is bought for a bridge, so a reserved option bridges
        # at its on-demand rate (missing: the option is incomplete, see planner.engine.recommend)
        usage_priced = (
            replace(bridge, pricing="on_demand", rate_per_hour=bridge.on_demand_rate_per_hour or 0.0)
            if bridge.pricing == "reserved"
            else bridge
        )
        scales = [s.scale for s in ctx.streams]
        if loads is None and scales and all(sc is scales[0] for sc in scales):
            bflows = cloud_flows(
                usage_priced,
                ctx,
                f"options.{bridge.name}.",
                shares=[s.base * pre for s in ctx.streams],
                share_scale=scales[0],
            )
        else:
            bflows = cloud_flows(
                usage_priced,
                ctx,
                f"options.{bridge.name}.",
                shares=[np.atleast_2d(d * pre) for d in (loads or [s.gpu_hours for s in ctx.streams])],
            )
        cash["bridge_cloud"] = bflows.cash["compute"]
        served_total = served + bflows.served
    for key in (
        "power",
        "power_busy",
        "colocation",
        "maintenance",
        "server_opex",
        "licences",
        "staff",
        "fixed",
        "bridge_cloud",
    ):
        if key in cash:
            amort[key] = cash[key]
    if ctx.lean or util is None:
        return OptionFlows(cash, amort, served_total, None, np.zeros(1), details, None, per_stream)
    load = np.atleast_2d(sum(loads or [s.gpu_hours for s in ctx.streams], start=np.zeros((1, h))))
    # idle cost: the amortised owned-capacity cost of each live month times its unused share
    owned_keys = (
        "depreciation",
        "interest",
        "power",
        "power_busy",
        "colocation",
        "maintenance",
        "server_opex",
        "licences",
    )
    owned_monthly = sum((amort[k].monthly(h) for k in owned_keys if k in amort), start=np.zeros((1, h)))
    idle = ((1.0 - util) * live * owned_monthly).sum(axis=1)
    return OptionFlows(
        cash=cash,
        amortised=amort,
        served=np.atleast_2d(served_total),
        utilization=util,
        idle=idle,
        details=details,
        unserved=load - served_total,
        per_stream=per_stream,
    )


def hybrid_flows(opt: HybridOption, ctx: Context, prefix: str, servers: Num | None = None) -> OptionFlows:
    """Owned base (``servers`` owned servers, may be an (S, 1) array) + cloud burst for what it cannot serve.
    Pinned streams (regulated / latency) are placed on the owned base first (:func:`place_streams`); what the
    base cannot serve of the other streams bursts to the cloud (pinned demand never does: it is reported)."""
    h = ctx.h
    n: Num = opt.onprem.servers if servers is None else servers
    base = onprem_flows(opt.onprem, ctx, prefix + "onprem.", servers=n, kind="hybrid")
    owned = base.per_stream or [np.zeros((1, h)) for _ in ctx.streams]
    rest = [np.atleast_2d(np.maximum(s.gpu_hours - o, 0.0)) for s, o in zip(ctx.streams, owned, strict=True)]
    shares = [r if not s.pinned else np.zeros((1, h)) for s, r in zip(ctx.streams, rest, strict=True)]
    pinned_unserved = np.atleast_2d(
        sum((r for s, r in zip(ctx.streams, rest, strict=True) if s.pinned), start=np.zeros((1, h)))
    )
    burst = np.atleast_2d(sum(shares, start=np.zeros((1, h))))
    cloud = cloud_flows(opt.burst, ctx, prefix + "burst.", shares=shares, kind="cloud")
    cash: dict[str, Term] = {}
    amort: dict[str, Term] = {}
    for key, t in base.cash.items():
        cash["owned_" + key] = t
    for key, t in base.amortised.items():
        amort["owned_" + key] = t
    for key, t in cloud.cash.items():
        cash["burst_" + key] = t
        amort["burst_" + key] = t
    cash["staff"] = Term(
        staff_terms(opt, ctx, prefix, "hybrid", False), escalation(h, ctx.project.salary_escalation_annual)
    )
    cash["fixed"] = Term(ctx.params.get(prefix + "monthly_fixed", opt.monthly_fixed))
    amort["staff"] = cash["staff"]
    amort["fixed"] = cash["fixed"]
    details = dict(base.details)
    details["burst_gpu_hours"] = burst
    return OptionFlows(
        cash=cash,
        amortised=amort,
        served=np.atleast_2d(base.served + cloud.served),
        utilization=base.utilization,
        idle=base.idle + cloud.idle,
        details=details,
        unserved=pinned_unserved,
    )


def hybrid_min_servers(opt: HybridOption, ctx: Context) -> int:
    """Fewest owned servers whose capacity covers the pinned demand's peak month (× peak factor)."""
    pinned = sum((s.gpu_hours for s in ctx.streams if s.pinned), start=np.zeros((1, ctx.h)))
    peak = float(np.max(pinned)) * ctx.peak_factor
    if peak <= 0:
        return 0
    return math.ceil(peak / (opt.onprem.gpus_per_server * ctx.hpm) - ROUND_EPS)


def option_flows(
    opt: Option, ctx: Context, fixed: Mapping[str, Any] | None = None, options: tuple[Option, ...] = ()
) -> OptionFlows:
    """Flows of any option kind. ``fixed`` carries decisions taken on the base case (committed instances,
    hybrid servers) so Monte Carlo samples price the same plan."""
    prefix = f"options.{opt.name}."
    if isinstance(opt, HybridOption):
        return hybrid_flows(opt, ctx, prefix, servers=(fixed or {}).get("servers"))
    if isinstance(opt, OnPremOption):
        bridge = None
        if opt.bridge_option is not None:
            cand = next((o for o in options if o.name == opt.bridge_option), None)
            bridge = cand if isinstance(cand, CloudOption) else None
        return onprem_flows(opt, ctx, prefix, bridge=bridge)
    return cloud_flows(opt, ctx, prefix, fixed=fixed)


def totals(flows: OptionFlows, weights: FloatArray, amortised: bool = False) -> FloatArray:
    """Σ over terms and months of the flows weighted by ``weights`` (H,), shape (S,)."""
    terms = flows.amortised if amortised else flows.cash
    out: FloatArray = np.zeros(1)
    for t in terms.values():
        out = out + t.dot(weights)
    return out
