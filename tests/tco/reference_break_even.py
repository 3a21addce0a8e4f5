"""The break-even utilisation as the engine computed it before it was vectorised across pairs (one call per
owned/rented pair, both cash totals evaluated on the whole utilisation grid): the reference that
planner.engine.sensitivity.break_even_utilizations must reproduce."""

from __future__ import annotations

import numpy as np

from planner.engine.cashflow import cloud_flows, onprem_flows, totals
from planner.engine.sensitivity import UTIL_GRID, _flat_context
from planner.project import CloudOption, OnPremOption, Project


def break_even_utilization(project: Project, owned: OnPremOption, rented: CloudOption) -> float | None:
    """Utilisation (0..1) at which ``owned`` and ``rented`` cost the same for the same flat demand; None if
    the owned fleet stays dearer even at 100 % (or the owned fleet has no capacity)."""
    if owned.servers <= 0 or owned.lead_time_months >= project.horizon_months:
        return None
    ctx = _flat_context(project, owned, UTIL_GRID)
    own = totals(onprem_flows(owned, ctx, f"options.{owned.name}."), np.ones(ctx.h))
    rent = totals(cloud_flows(rented, ctx, f"options.{rented.name}."), np.ones(ctx.h))
    diff = np.broadcast_to(own - rent, UTIL_GRID.shape)
    idx = np.nonzero(diff <= 0)[0]
    if idx.size == 0:
        return None
    i = int(idx[0])
    if i == 0:
        return float(UTIL_GRID[0])
    u0, u1 = UTIL_GRID[i - 1], UTIL_GRID[i]
    d0, d1 = diff[i - 1], diff[i]
    return float(u0 + (u1 - u0) * d0 / (d0 - d1)) if d0 != d1 else float(u1)
