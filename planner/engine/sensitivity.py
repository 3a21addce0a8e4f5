"""Break-even (month and utilisation) and the tornado of each option's total against its inputs.

Break-even month between A and B: the first month m (1-based) in which cumulative cash cost of A ≤ B.
Break-even utilisation between an owned option O and a rented option R: the average utilisation u of O's
fleet at which both cost the same over the horizon for a flat demand of u × O's capacity — the same
cash-flow model as the totals, evaluated on a grid of utilisations (vectorised) and interpolated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from planner.engine import CancelToken
from planner.engine.cashflow import (
    Context,
    FloatArray,
    Params,
    Stream,
    cloud_flows,
    onprem_flows,
    totals,
)
from planner.engine.montecarlo import input_value, run_totals
from planner.engine.results import TornadoBar
from planner.input_paths import option_prefixes
from planner.project import CloudOption, HybridOption, InputRange, OnPremOption, Project

UTIL_GRID = np.linspace(0.0, 1.0, 401)[1:]
"""Utilisation grid for break-even (0.25 % steps; linear interpolation between points)."""


def break_even_month(cum_a: FloatArray, cum_b: FloatArray) -> int | None:
    """First month (1-based) with cumulative A ≤ cumulative B (cents tolerance), or None."""
    hits = np.nonzero(cum_a <= cum_b + 0.005)[0]
    return int(hits[0]) + 1 if hits.size else None


def _flat_context(project: Project, opt: OnPremOption, util: FloatArray) -> Context:
    h = project.horizon_months
    live = np.zeros(h)
    live[min(opt.lead_time_months, h) :] = 1.0
    cap = opt.servers * opt.gpus_per_server * project.hours_per_month * live
    return _context(project, util.reshape(-1, 1) * cap[None, :])


def _context(project: Project, demand: FloatArray, lean: bool = False) -> Context:
    """Context of one continuous (fluid), unpinned demand stream of GPU-hours ``demand`` (rows, months);
    ``lean``: totals only."""
    return Context(
        project=project,
        params=Params(),
        h=project.horizon_months,
        hpm=project.hours_per_month,
        streams=[Stream("flat", demand, None, 0, False)],
        peak_factor=1.0,
        electricity=project.electricity_per_kwh,
        pue=project.pue,
        lean=lean,
    )


def owned_totals_at(project: Project, opt: OnPremOption, util: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(cash totals, served GPU-hours) of ``opt`` alone for flat demand util × capacity, per utilisation."""
    ctx = _flat_context(project, opt, util)
    flows = onprem_flows(opt, ctx, f"options.{opt.name}.")
    return totals(flows, np.ones(ctx.h)), flows.served.sum(axis=1)


def break_even_utilization(project: Project, owned: OnPremOption, rented: CloudOption) -> float | None:
    """Utilisation (0..1) at which ``owned`` and ``rented`` cost the same for the same flat demand; None if
    the owned fleet stays dearer even at 100 % (or the owned fleet has no capacity)."""
    return break_even_utilizations(project, [(owned.name, owned, [rented])])[(owned.name, rented.name)]


AFFINE_PROBE = np.array([0.0, 1.0, 0.6180339887498949])
"""Utilisations at which each option's total is evaluated: u = 0 and 1 give the affine form, the third
point (off every grid and billing step) checks that the total is indeed affine in u."""

AFFINE_RTOL = 1e-9
"""Relative gap (to the largest total) allowed between the third probe and the affine prediction."""


def break_even_utilizations(
    project: Project, pairs: Sequence[tuple[str, OnPremOption, Sequence[CloudOption]]]
) -> dict[tuple[str, str], float | None]:
    """:func:`break_even_utilization` for many (name, owned fleet, rented partners) at once, keyed by
    (name, rented option's name).

    Same model and same answer as evaluating both cash totals on :data:`UTIL_GRID` and interpolating the
    first crossing; but a flat demand u × capacity makes a total affine in u (owned: served = u × capacity,
    busy power in proportion; rented without a commitment: billed units in proportion), so each total is
    evaluated at three utilisations only (:data:`AFFINE_PROBE`, all owned fleets stacked into one vectorised
    call per rented option) and the grid is filled from the affine form. A reserved option (commitment
    rounded up to whole instances: a step function of u) or any total failing the third-point check is
    evaluated on the whole grid, all owned fleets stacked into one call."""
    out: dict[tuple[str, str], float | None] = {}
    live: list[tuple[str, OnPremOption, Sequence[CloudOption]]] = []
    for name, o, rs in pairs:
        if o.servers > 0 and o.lead_time_months < project.horizon_months:
            live.append((name, o, rs))
        else:  # no owned capacity within the horizon: never cheaper per GPU-hour served
            out.update({(name, r.name): None for r in rs})
    if not live:
        return out
    owned = [o for _, o, _ in live]
    own_grid = [_owned_grid(project, o) for o in owned]
    rented: dict[int, CloudOption] = {}
    for _, _, rs in live:
        rented.update({id(r): r for r in rs})
    probe_ctx = _stacked_context(project, owned, AFFINE_PROBE)
    grid_ctx: Context | None = None
    rent_grid: dict[int, FloatArray] = {}
    for key, r in rented.items():
        tot = _cloud_totals(r, probe_ctx).reshape(len(owned), AFFINE_PROBE.size)
        forms = [_affine(t) for t in tot] if r.pricing != "reserved" else [None]
        lines = [f for f in forms if f is not None]
        if len(lines) == len(owned):
            rent_grid[key] = np.stack([a + b * UTIL_GRID for a, b in lines])
            continue
        grid_ctx = grid_ctx or _stacked_context(project, owned, UTIL_GRID)
        rent_grid[key] = _cloud_totals(r, grid_ctx).reshape(len(owned), UTIL_GRID.size)
    for k, (name, _, rs) in enumerate(live):
        for r in rs:
            out[(name, r.name)] = first_crossing(own_grid[k] - rent_grid[id(r)][k])
    return out


def first_crossing(diff: FloatArray) -> float | None:
    """First utilisation of :data:`UTIL_GRID` where ``diff`` (owned − rented total) ≤ 0, interpolated
    linearly from the grid point before it; the grid's first point if it is already there; None if never."""
    idx = np.nonzero(diff <= 0)[0]
    if idx.size == 0:
        return None
    i = int(idx[0])
    if i == 0:
        return float(UTIL_GRID[0])
    u0, u1 = UTIL_GRID[i - 1], UTIL_GRID[i]
    d0, d1 = diff[i - 1], diff[i]
    return float(u0 + (u1 - u0) * d0 / (d0 - d1)) if d0 != d1 else float(u1)


def _affine(tot: FloatArray) -> tuple[float, float] | None:
    """(total at u = 0, slope) from totals at :data:`AFFINE_PROBE`, or None if the third is off that line."""
    at0, at1, mid = (float(x) for x in tot)
    slope = at1 - at0
    scale = max(1.0, abs(at0), abs(at1), abs(mid))
    return (at0, slope) if abs(at0 + slope * AFFINE_PROBE[2] - mid) <= AFFINE_RTOL * scale else None


def _owned_grid(project: Project, opt: OnPremOption) -> FloatArray:
    """Cash totals of ``opt`` alone on :data:`UTIL_GRID` (from its affine form when it has one)."""
    probe = _owned_totals(project, opt, AFFINE_PROBE)
    form = _affine(probe)
    if form is None:
        return _owned_totals(project, opt, UTIL_GRID)
    return form[0] + form[1] * UTIL_GRID


def _owned_totals(project: Project, opt: OnPremOption, util: FloatArray) -> FloatArray:
    ctx = _flat_context(project, opt, util)
    tot = totals(onprem_flows(opt, ctx, f"options.{opt.name}."), np.ones(ctx.h))
    return np.broadcast_to(tot, util.shape).astype(np.float64)


def _cloud_totals(opt: CloudOption, ctx: Context) -> FloatArray:
    rows = ctx.streams[0].base.shape[0]
    tot = totals(cloud_flows(opt, ctx, f"options.{opt.name}."), np.ones(ctx.h))
    return np.broadcast_to(tot, (rows,)).astype(np.float64)


def _stacked_context(project: Project, owned: Sequence[OnPremOption], util: FloatArray) -> Context:
    """One flat-demand context whose rows are util × capacity of each owned fleet in turn."""
    demand = np.concatenate([_flat_context(project, o, util).streams[0].base for o in owned])
    return _context(project, demand, lean=True)


def onprem_cost_per_gpu_hour(
    option: OnPremOption,
    utilization: float,
    horizon_months: int,
    hours_per_month: float = 730.0,
    *,
    electricity_per_kwh: float = 0.0,
    pue: float = 1.0,
) -> float:
    """Cash cost per used GPU-hour of ``option`` alone at flat ``utilization`` (0 < u ≤ 1)."""
    if not 0.0 < utilization <= 1.0:
        raise ValueError(f"utilization must be in (0, 1], got {utilization}")
    project = Project(
        name="_",
        horizon_months=horizon_months,
        hours_per_month=hours_per_month,
        electricity_per_kwh=electricity_per_kwh,
        pue=pue,
        options=(replace(option, bridge_option=None),),
    )
    total, served = owned_totals_at(project, option, np.array([utilization]))
    if served[0] <= 0:
        raise ValueError(
            "the option serves no GPU-hours within the horizon (lead time too long or no servers)"
        )
    return float(total[0] / served[0])


def tornado_inputs(project: Project) -> list[InputRange]:
    """Inputs of the tornado: the project's own ranges, else ±tornado_fraction on every non-zero input."""
    f = project.tornado_fraction
    given = {r.path: r for r in project.monte_carlo}
    out: list[InputRange] = []
    candidates: list[str] = ["demand.scale"]
    if project.demand.growth_annual:
        candidates.append("demand.growth_annual")
    if project.electricity_per_kwh:
        candidates.append("electricity_per_kwh")
    if project.pue > 1:
        candidates.append("pue")
    for opt in project.options:
        for pre, obj in option_prefixes(opt):
            for key in _TORNADO_KEYS.get(type(obj).__name__, ()):
                if hasattr(obj, key) and getattr(obj, key) not in (None, 0, 0.0):
                    candidates.append(pre + key)
    for path in candidates:
        if path in given:
            out.append(given[path])
            continue
        v = input_value(project, path)
        lo, hi = v * (1 - f), v * (1 + f)
        if path.endswith(("residual_fraction", "load_factor", "discount", "idle_power_fraction")):
            hi = min(hi, 0.999 if path.endswith("discount") else 1.0)
        if path.endswith("pue"):
            lo = max(lo, 1.0)
        out.append(InputRange(path, lo, hi))
    return out


_CLOUD_KEYS = (
    "rate_per_hour",
    "discount",
    "spot_overhead",
    "managed_premium",
    "on_demand_rate_per_hour",
    "storage_per_tb_month",
    "egress_per_tb",
    "egress_tb_per_month",
    "staff_fte",
    "fte_cost_annual",
    "monthly_fixed",
)
_ONPREM_KEYS = (
    "server_price",
    "network_capex",
    "network_fraction",
    "storage_capex",
    "other_capex",
    "residual_fraction",
    "power_kw_per_server",
    "load_factor",
    "pue",
    "electricity_per_kwh",
    "colo_per_kw_month",
    "maintenance_rate_annual",
    "opex_annual_per_server",
    "licences_annual",
    "finance_rate_annual",
    "staff_fte",
    "fte_cost_annual",
    "monthly_fixed",
)
_TORNADO_KEYS: dict[str, tuple[str, ...]] = {
    "CloudOption": _CLOUD_KEYS,
    "ManagedK8sOption": _CLOUD_KEYS,
    "OnPremOption": _ONPREM_KEYS,
    "HybridOption": ("staff_fte", "fte_cost_annual", "monthly_fixed"),
}


def tornado(
    project: Project,
    base_totals: Mapping[str, float],
    fixed: Mapping[str, Mapping[str, Any]],
    cancel: CancelToken | None = None,
) -> list[Any]:
    """Tornado bars for every option (sorted by swing within each option), from one vectorised run with
    two rows (low, high) per input. Bars with no effect on an option are left out."""
    ranges = tornado_inputs(project)
    if not ranges:
        return []
    n = 2 * len(ranges)
    overrides: dict[str, FloatArray] = {}
    for i, r in enumerate(ranges):
        path = r.path
        if path not in overrides:
            overrides[path] = np.full(n, input_value(project, path))
        overrides[path][2 * i] = r.low
        overrides[path][2 * i + 1] = r.high
    result = run_totals(project, overrides, n, fixed, cancel=cancel)
    bars: list[TornadoBar] = []
    for j, opt in enumerate(project.options):
        base = base_totals[opt.name]
        mine: list[TornadoBar] = []
        for i, r in enumerate(ranges):
            lo_t, hi_t = float(result[2 * i, j]), float(result[2 * i + 1, j])
            if abs(lo_t - base) < 0.005 and abs(hi_t - base) < 0.005:
                continue
            mine.append(TornadoBar(r.path, opt.name, lo_t, hi_t, r.low, r.high, base))
        mine.sort(key=lambda b: -b.swing)
        bars.extend(mine)
    return bars


def is_owned(opt: object) -> bool:
    return isinstance(opt, OnPremOption | HybridOption)
