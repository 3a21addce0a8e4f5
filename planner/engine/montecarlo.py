"""Monte Carlo over a project's input ranges, vectorised over samples (numpy), with cancel and progress.

Each :class:`planner.project.InputRange` is drawn once per sample (triangular or uniform) and applied to
every path it names ("options.*.fte_cost_annual" moves all options together: one labour market). Decisions
taken on the base case (hybrid split, reserved commitment) stay fixed, so the samples price one plan.
Totals are cash totals over the horizon (currency).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from planner.engine import CancelToken, Progress, check
from planner.engine.cashflow import FloatArray, Params, make_context, option_flows, totals
from planner.input_paths import expand_path, option_prefixes
from planner.project import CloudOption, InputRange, OnPremOption, Project

CHUNK_SAMPLES = 1000
"""Samples per vectorised chunk: (chunk × months) float arrays stay in the CPU cache (measured 3× faster
than 2,500-sample chunks here) and cancel is checked every few milliseconds."""


def input_value(project: Project, path: str) -> float:
    """Current value of a canonical path (the base case)."""
    if path == "demand.scale":
        return 1.0
    if path in ("electricity_per_kwh", "pue"):
        return float(getattr(project, path))
    if path.startswith("demand."):
        return float(getattr(project.demand, path[len("demand.") :]))
    for opt in project.options:
        for pre, obj in option_prefixes(opt):
            key = path[len(pre) :]
            if path.startswith(pre) and "." not in key and hasattr(obj, key):
                v = getattr(obj, key)
                if v is None and key == "electricity_per_kwh":
                    return project.electricity_per_kwh
                if v is None and key == "pue":
                    return project.pue
                if v is None and key == "on_demand_rate_per_hour" and isinstance(obj, CloudOption):
                    return obj.rate_per_hour
                return float(v) if v is not None else 0.0
    raise KeyError(path)


def default_ranges(project: Project, fraction: float) -> list[InputRange]:
    """±``fraction`` triangular ranges on the inputs the issue names when a project gives none: demand
    (utilisation follows), prices, power price, FTE cost, residual value."""
    out: list[InputRange] = [InputRange("demand.scale", 1.0 - fraction, 1.0 + fraction)]
    if project.electricity_per_kwh > 0:
        v = project.electricity_per_kwh
        out.append(InputRange("electricity_per_kwh", v * (1 - fraction), v * (1 + fraction)))
    for opt in project.options:
        for pre, obj in option_prefixes(opt):
            keys: tuple[str, ...] = ()
            if isinstance(obj, CloudOption):
                keys = ("rate_per_hour",)
            elif isinstance(obj, OnPremOption):
                keys = ("server_price", "residual_fraction", "electricity_per_kwh")
            keys += ("fte_cost_annual",)
            for key in keys:
                raw = getattr(obj, key)
                if raw is None or raw == 0:
                    continue
                v = float(raw)
                hi = min(v * (1 + fraction), 1.0) if key == "residual_fraction" else v * (1 + fraction)
                out.append(InputRange(pre + key, v * (1 - fraction), hi))
    return out


def draw(rng: np.random.Generator, r: InputRange, mode: float, n: int) -> FloatArray:
    """``n`` draws of one range (triangular with ``mode`` clipped into [low, high], or uniform)."""
    if r.high <= r.low:
        return np.full(n, r.low)
    if r.dist == "uniform":
        return rng.uniform(r.low, r.high, n)
    return rng.triangular(r.low, min(max(mode, r.low), r.high), r.high, n)


def sample_inputs(
    project: Project, ranges: list[InputRange], samples: int, seed: int
) -> tuple[dict[str, FloatArray], list[str]]:
    """Draw every range: returns {canonical path: (samples,) array} and the range labels in order."""
    rng = np.random.default_rng(seed)
    out: dict[str, FloatArray] = {}
    labels: list[str] = []
    for r in ranges:
        paths = expand_path(project, r.path)
        mode = r.mode if r.mode is not None else input_value(project, paths[0])
        values = draw(rng, r, mode, samples)
        labels.append(r.path)
        for pth in paths:
            out[pth] = values
    return out, labels


def run_totals(
    project: Project,
    overrides: Mapping[str, FloatArray],
    samples: int,
    fixed: Mapping[str, Mapping[str, Any]],
    *,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    weights: FloatArray | None = None,
) -> FloatArray:
    """Cash totals (samples, options) of every option under per-sample ``overrides``, in chunks."""
    h = project.horizon_months
    w = np.ones(h) if weights is None else weights
    out = np.empty((samples, len(project.options)))
    steps = max(1, -(-samples // CHUNK_SAMPLES)) * max(1, len(project.options))
    done = 0
    for start in range(0, samples, CHUNK_SAMPLES):
        stop = min(samples, start + CHUNK_SAMPLES)
        params = Params({k: v[start:stop] for k, v in overrides.items()})
        ctx = make_context(project, params, lean=True)
        for j, opt in enumerate(project.options):
            check(cancel)
            flows = option_flows(opt, ctx, fixed.get(opt.name), project.options)
            out[start:stop, j] = np.broadcast_to(totals(flows, w), (stop - start,))
            done += 1
            if progress is not None:
                progress(done / steps)
    return out


def summarise(names: list[str], totals_arr: FloatArray) -> dict[str, dict[str, float]]:
    """P10/P50/P90 per option and the share of samples in which each option is the cheapest."""
    p10, p50, p90 = np.percentile(totals_arr, [10, 50, 90], axis=0)
    cheapest = np.argmin(totals_arr, axis=1)
    counts = np.bincount(cheapest, minlength=len(names)) / max(1, totals_arr.shape[0])
    return {
        "p10": {n: float(v) for n, v in zip(names, p10, strict=True)},
        "p50": {n: float(v) for n, v in zip(names, p50, strict=True)},
        "p90": {n: float(v) for n, v in zip(names, p90, strict=True)},
        "prob_cheapest": {n: float(v) for n, v in zip(names, counts, strict=True)},
    }
