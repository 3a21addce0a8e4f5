"""Demand as it runs: from GPU-hours a month to the GPUs needed at once (concurrency), month by month.

Each demand stream (:func:`planner.engine.cashflow.build_streams`) becomes, each month, a few *layers*: a
layer is ``width`` GPUs busy ``hours`` hours of the month (width × hours = the stream's GPU-hours).

- A stream of jobs of g GPUs, D GPU-hours in the month: jobs run one after another where they fit, so on
  average n = D / (g × hours_per_month) jobs run at once: ⌊n⌋ × g GPUs busy all month, plus g GPUs busy
  (n − ⌊n⌋) × hours_per_month hours. One 64-GPU job of 91 h is one layer of 64 GPUs busy 91 h — a commitment
  of 64 GPUs for the month is used 91 of its 730 hours.
- A fluid stream (no job size) with peak factor p: load uniform between (2 − p)·D/h and p·D/h GPUs, as two
  layers: (2 − p)·D/h GPUs all month and 2(p − 1)·D/h GPUs half of it (p = 1: one layer, D/h GPUs).

Streams are stacked (their layers may run at the same moment), so the GPUs of a month's layers add up to the
peak the month needs at once. Capacity (owned servers, reserved instances) covers any set of layers whose
widths fit in it; the GPU-hours it serves are Σ covered width × hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.engine.cashflow import ROUND_EPS, Context


@dataclass(frozen=True)
class Layer:
    """``width`` GPUs of stream ``stream`` (index into the context's streams) busy ``hours`` in ``month``
    (0-based)."""

    month: int
    stream: int
    width: float
    hours: float

    @property
    def gpu_hours(self) -> float:
        return self.width * self.hours


def stream_layers(
    gpu_hours: float, gpus_per_job: int, hpm: float, peak_factor: float
) -> list[tuple[float, float]]:
    """(width GPUs, busy hours) of one stream's month of ``gpu_hours`` (see the module docstring)."""
    if gpu_hours <= 0:
        return []
    if gpus_per_job > 0:
        g = float(gpus_per_job)
        n = gpu_hours / (g * hpm)
        full = math.floor(n + ROUND_EPS)
        frac = n - full
        out: list[tuple[float, float]] = []
        if full > 0:
            out.append((full * g, hpm))
        if frac > ROUND_EPS:
            out.append((g, frac * hpm))
        return out
    avg = gpu_hours / hpm
    p = max(1.0, peak_factor)
    if p <= 1.0:
        return [(avg, hpm)]
    return (
        [((2.0 - p) * avg, hpm), (2.0 * (p - 1.0) * avg, hpm / 2.0)] if p < 2.0 else [(2.0 * avg, hpm / 2.0)]
    )


def layers(ctx: Context) -> list[Layer]:
    """Every month's layers of every stream of ``ctx`` (base case: the first sample row)."""
    out: list[Layer] = []
    for i, s in enumerate(ctx.streams):
        d = np.asarray(s.gpu_hours, dtype=np.float64)[0]
        g = s.gpus_per_job if s.job_gpu_hours is not None else 0
        for m in range(ctx.h):
            for width, hours in stream_layers(float(d[m]), g, ctx.hpm, ctx.peak_factor):
                out.append(Layer(m, i, width, hours))
    return out


def peak_gpus(ctx: Context) -> float:
    """The most GPUs a month needs at once (Σ of its layers' widths), over the horizon."""
    per = np.zeros(ctx.h)
    for la in layers(ctx):
        per[la.month] += la.width
    return float(per.max()) if per.size else 0.0
