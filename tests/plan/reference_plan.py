"""Brute-force reference for the plan optimiser, in plain Python from docs/DECISION_MODEL.md §Plan — no numpy,
no scipy, no engine code.

For the small projects of :func:`small_project` (one server platform with no busy power, one reservation,
one or two per-use clouds, up to 3 months) it enumerates every integer decision — servers bought each month,
reserved instances started each month, which per-use options are opened — and serves each month's layers
with a greedy on value per GPU: capacity (owned GPUs serve any layer, reserved GPUs only layers they are
allowed to carry) goes to the layers with the highest per-use cost first. With no busy cost the two kinds of
capacity cost nothing at the margin, the feasible (regulated, total) coverage is a polymatroid, and the
greedy is exact.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

HPM = 730.0
INF = float("inf")


def month_demand(d: dict[str, Any], m: int) -> float:
    """GPU-hours of month m (1-based): base × (1 + g)^((m − 1)/12)."""
    return d["gpu_hours_per_month"] * (1.0 + d.get("growth_annual", 0.0)) ** ((m - 1) / 12.0)


def stream_layers(gpu_hours: float, g: int) -> list[tuple[float, float]]:
    """(width GPUs, hours) per the docs: jobs of g GPUs run n = D / (g × 730) at once on average."""
    if gpu_hours <= 0:
        return []
    if g == 0:
        return [(gpu_hours / HPM, HPM)]
    n = gpu_hours / (g * HPM)
    full = math.floor(n + 1e-9)
    out: list[tuple[float, float]] = []
    if full > 0:
        out.append((full * g, HPM))
    if n - full > 1e-9:
        out.append((float(g), (n - full) * HPM))
    return out


def billed_per_gpu_hour(u: dict[str, Any], d: dict[str, Any], g: int) -> float:
    """GPU-hours billed per GPU-hour demanded (rate unit GPU): run time × (1 + spot overhead), each job
    rounded up to whole billing increments (1 s when none given)."""
    over = u.get("spot_overhead", 0.0) if u.get("pricing") == "spot" else 0.0
    if g == 0:
        return 1.0 + over
    job = d["gpu_hours_per_month"] / d["jobs_per_month"]
    inc = u.get("billing_increment_s", 1.0)
    wall_s = job / g * 3600.0 * (1.0 + over)
    billed_s = max(u.get("min_billing_s", 0.0), math.ceil(wall_s / inc - 1e-9) * inc)
    return billed_s / 3600.0 * g / job


def best_plan(p: dict[str, Any]) -> float:
    """Objective (PV when a discount rate is set, else cash) of the cheapest plan; INF when none."""
    h = p["horizon_months"]
    r = p.get("discount_rate_annual", 0.0)
    d = p["demand"]
    reg_frac = d.get("regulated_fraction", 0.0)
    regimes = set(p.get("compliance", []))
    g = d.get("gpus_per_job", 0) if d.get("jobs_per_month", 0) > 0 else 0
    opts = p["options"]
    own = next(o for o in opts if o["kind"] == "onprem")
    ri = next(o for o in opts if o.get("pricing") == "reserved")
    uses = [o for o in opts if o["kind"] == "cloud" and o.get("pricing") != "reserved"]

    def disc(m: int) -> float:  # month m, 1-based
        return (1.0 + r) ** (-m / 12.0) if r > 0 else 1.0

    def certified(o: dict[str, Any]) -> bool:
        return bool(regimes) and regimes <= set(o.get("certifications", []))

    # layers: (month, width, hours, regulated, per-use cost per GPU-hour by option index)
    lay: list[tuple[int, float, float, bool]] = []
    for m in range(1, h + 1):
        dm = month_demand(d, m)
        parts = []
        if reg_frac > 0:
            parts.append((dm * reg_frac, True))
        if reg_frac < 1:
            parts.append((dm * (1 - reg_frac), bool(regimes) and reg_frac == 0))
        for gh, regulated in parts:
            for w, hrs in stream_layers(gh, g):
                lay.append((m, w, hrs, regulated))
    peak = max(sum(w for mm, w, _, _ in lay if mm == m) for m in range(1, h + 1))
    gps = own["gpus_per_server"]
    lead = own.get("lead_time_months", 0)
    cap = max(own.get("servers", 1), math.ceil(peak / gps - 1e-9))
    gpi = ri["gpus_per_instance"]
    max_inst = math.ceil(peak / gpi - 1e-9)
    term = ri.get("term_months")
    capex = own["server_price"]
    resid = own.get("residual_fraction", 0.0)
    maint = own.get("maintenance_rate_annual", 0.0)
    fixed_capex = own.get("network_capex", 0.0)
    ri_month = ri["rate_per_hour"] * HPM * gpi  # rate per GPU-hour × GPUs × hours
    use_rate = [u["rate_per_hour"] * billed_per_gpu_hour(u, d, g) for u in uses]
    buy_months = [t for t in range(1, h + 1) if t + lead <= h]
    best = INF
    for buys in itertools.product(range(cap + 1), repeat=len(buy_months)):
        if sum(buys) > cap:
            continue
        bought = dict(zip(buy_months, buys, strict=True))
        own_cost = 0.0
        for t, n in bought.items():
            own_cost += n * capex * (disc(t) - resid * disc(h))
            own_cost += n * capex * maint / 12.0 * sum(disc(m) for m in range(t + lead, h + 1))
        if sum(buys) > 0:
            own_cost += fixed_capex * (disc(1) - resid * disc(h))
            own_cost += fixed_capex * maint / 12.0 * sum(disc(m) for m in range(1, h + 1))
        for starts in itertools.product(range(max_inst + 1), repeat=h):
            ri_cost = 0.0
            active = [0] * (h + 1)
            for t, n in enumerate(starts, start=1):
                length = term if term is not None else h - t + 1
                ri_cost += n * ri_month * sum(disc(m) for m in range(t, t + length))
                for m in range(t, min(h, t + length - 1) + 1):
                    active[m] += n
            if any(starts) and ri.get("monthly_fixed", 0.0):
                ri_cost += ri["monthly_fixed"] * sum(disc(m) for m in range(1, h + 1))
            for opened in itertools.product((False, True), repeat=len(uses)):
                total = own_cost + ri_cost
                for u, o in zip(uses, opened, strict=True):
                    if o:
                        total += u.get("monthly_fixed", 0.0) * sum(disc(m) for m in range(1, h + 1))
                ok = True
                for m in range(1, h + 1):
                    a = gps * sum(n for t, n in bought.items() if t + lead <= m)
                    b = gpi * active[m]
                    mine = []
                    for mm, w, hrs, regulated in lay:
                        if mm != m:
                            continue
                        rates = [
                            use_rate[i]
                            for i, u in enumerate(uses)
                            if opened[i] and (not regulated or certified(u))
                        ]
                        per_gpu = min(rates) * hrs if rates else INF
                        mine.append((per_gpu, w, regulated and not certified(ri)))
                    mine.sort(key=lambda x: -x[0])
                    reg_used = 0.0
                    used = 0.0
                    for per_gpu, w, own_only in mine:
                        room = a + b - used
                        if own_only:
                            room = min(room, a - reg_used)
                        x = max(0.0, min(w, room))
                        used += x
                        if own_only:
                            reg_used += x
                        rest = w - x
                        if rest > 1e-9:
                            if per_gpu == INF:
                                ok = False
                                break
                            total += rest * per_gpu * disc(m)
                    if not ok:
                        break
                if ok and total < best:
                    best = total
    return best
