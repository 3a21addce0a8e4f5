"""TCO Monte Carlo benchmark: 10,000 samples x 60 months x 20 options.

Targets (issue 5): under 250 ms on this 2-core machine, and at least 50x faster than the plain-Python
scalar reference (tests/tco/reference.py) run sample by sample. The reference is timed on a subset of
samples and its per-sample time extrapolated to 10,000 (running it in full takes minutes); the subset's
totals are also checked against the engine's, to the cent. Figures are printed (run with -s).

Times compared are the process's CPU time (best of several runs): the 2 cores are shared by other jobs,
which inflates wall time by a varying factor; wall time is printed too.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pytest

from planner.engine import montecarlo as mc
from planner.engine.tco import evaluate
from tests.tco import reference
from tests.tco.bench_project import bench_project

SAMPLES = 10_000
TARGET_S = 0.250
MIN_SPEEDUP = 50.0
REFERENCE_SUBSET = 40


def test_bench_monte_carlo_10k_samples_60_months_20_options() -> None:
    p = bench_project(horizon=60)
    assert len(p.options) == 20 and p.horizon_months == 60
    base = evaluate(p)
    fixed = {o.name: {"servers": int(o.details["servers"])} for o in base.options if o.kind == "hybrid"}
    draws, _ = mc.sample_inputs(p, list(p.monte_carlo), SAMPLES, seed=1)

    runs, cpu = [], []
    totals = np.empty(0)
    for _ in range(9):
        t0, c0 = time.perf_counter(), time.process_time()
        totals = mc.run_totals(p, draws, SAMPLES, fixed)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    engine_s = min(runs)
    engine_cpu_s = min(cpu)

    t0 = time.perf_counter()
    full = evaluate(p, samples=SAMPLES, seed=1)
    full_s = time.perf_counter() - t0
    assert full.monte_carlo is not None

    ref_totals = []
    t0 = time.process_time()
    for i in range(REFERENCE_SUBSET):
        sample = reference.apply_overrides(p, {k: float(v[i]) for k, v in draws.items()})
        ref_totals.append(reference.evaluate(sample, {k: v["servers"] for k, v in fixed.items()}))
    ref_per_sample = (time.process_time() - t0) / REFERENCE_SUBSET
    ref_s = ref_per_sample * SAMPLES
    for i, ref in enumerate(ref_totals):
        for j, opt in enumerate(p.options):
            assert totals[i, j] == pytest.approx(ref[opt.name]["total"], abs=0.01)

    speedup = ref_s / engine_cpu_s
    print(
        f"\nTCO Monte Carlo {SAMPLES:,} samples x {p.horizon_months} months x {len(p.options)} options:"
        f"\n  engine (run_totals) best of {len(runs)}: CPU {engine_cpu_s * 1000:.1f} ms, wall {engine_s * 1000:.1f} ms"
        f" (median wall {statistics.median(runs) * 1000:.1f} ms; target < {TARGET_S * 1000:.0f} ms CPU)"
        f"\n  full evaluate() incl. base case, break-even, tornado, Monte Carlo: {full_s * 1000:.1f} ms"
        f"\n  scalar reference (CPU): {ref_per_sample * 1000:.2f} ms per sample -> {ref_s:.1f} s for {SAMPLES:,} "
        f"(timed on {REFERENCE_SUBSET}, equal to the cent)"
        f"\n  speed-up: {speedup:.0f}x (target >= {MIN_SPEEDUP:.0f}x)"
    )
    assert engine_cpu_s < TARGET_S
    assert speedup >= MIN_SPEEDUP


def test_bench_largest_sample_evaluate_for_live_charts() -> None:
    """The editor re-evaluates on every edit: the largest shipped sample (20 options, 84 months, 3 workloads)
    without Monte Carlo, and with 10,000 samples. Printed only; the UI debounces and runs it off-thread."""
    import json
    from importlib.resources import files

    from planner.project import parse_project

    p = parse_project(
        json.loads(files("resources.samples").joinpath("largest.json").read_text(encoding="utf-8"))
    )
    for samples in (0, SAMPLES):
        cpu, wall = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            evaluate(p, samples=samples, seed=1)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(
            f"\nlargest.json ({len(p.options)} options x {p.horizon_months} months), samples={samples:,}: "
            f"CPU {min(cpu) * 1000:.0f} ms, wall {min(wall) * 1000:.0f} ms (best of 3)"
        )


def test_bench_break_even_utilisation_all_pairs_largest_sample() -> None:
    """Break-even utilisation of every owned/rented pair of largest.json (86 pairs): the batched engine
    (affine totals, one stacked call per rented option) against the per-pair grid evaluation it replaced
    (tests/tco/reference_break_even.py); CPU time, best of 5, and equal answers."""
    import json
    from importlib.resources import files

    from planner.engine import sensitivity
    from planner.engine.tco import break_even_pairs
    from planner.project import parse_project
    from tests.tco import reference_break_even

    p = parse_project(
        json.loads(files("resources.samples").joinpath("largest.json").read_text(encoding="utf-8"))
    )
    base = evaluate(p)
    fixed = {o.name: {"servers": int(o.details["servers"])} for o in base.options if o.kind == "hybrid"}
    pairs = break_even_pairs(p, fixed)

    def per_pair() -> dict[tuple[str, str], float | None]:
        return {
            (name, r.name): reference_break_even.break_even_utilization(p, owned, r)
            for name, owned, rented in pairs
            for r in rented
        }

    def best_cpu(fn: Callable[[], object], runs: int = 5) -> float:
        out = []
        for _ in range(runs):
            c0 = time.process_time()
            fn()
            out.append(time.process_time() - c0)
        return min(out)

    fast = sensitivity.break_even_utilizations(p, pairs)
    ref = per_pair()
    assert fast.keys() == ref.keys()
    for k, v in ref.items():
        assert (fast[k] is None) == (v is None) and (v is None or fast[k] == pytest.approx(v, abs=1e-9)), k
    new_s = best_cpu(lambda: sensitivity.break_even_utilizations(p, pairs))
    old_s = best_cpu(per_pair)
    print(
        f"\nbreak-even utilisation, largest.json, {len(ref)} pairs: batched {new_s * 1000:.1f} ms CPU, "
        f"per-pair grid {old_s * 1000:.1f} ms CPU ({old_s / new_s:.0f}x)"
    )


PLAN_TARGET_S = 1.0
"""Issue 14: the plan for largest.json and 10,000 Monte Carlo samples over its plans, under 1 s of CPU."""

SMALL_PLAN = {
    "name": "small",
    "currency": "USD",
    "horizon_months": 3,
    "discount_rate_annual": 0.1,
    "compliance": ["hipaa"],
    "demand": {
        "gpu_hours_per_month": 2500,
        "jobs_per_month": 2,
        "gpus_per_job": 2,
        "growth_annual": 3.0,
        "regulated_fraction": 0.5,
    },
    "options": [
        {
            "kind": "onprem",
            "name": "own",
            "servers": 1,
            "server_price": 9000,
            "gpus_per_server": 2,
            "residual_fraction": 0.3,
            "maintenance_rate_annual": 0.12,
            "network_capex": 800,
        },
        {
            "kind": "cloud",
            "name": "ri",
            "rate_unit": "gpu",
            "pricing": "reserved",
            "rate_per_hour": 2.0,
            "gpus_per_instance": 1,
            "term_months": 2,
            "certifications": ["hipaa"],
        },
        {"kind": "cloud", "name": "use 0", "rate_unit": "gpu", "rate_per_hour": 4.5, "monthly_fixed": 500},
        {
            "kind": "cloud",
            "name": "use 1",
            "rate_unit": "gpu",
            "rate_per_hour": 6.0,
            "pricing": "spot",
            "spot_overhead": 0.1,
            "certifications": ["hipaa"],
            "billing_increment_s": 60,
        },
    ],
}


def test_bench_plan_largest_sample_and_10k_monte_carlo_over_its_plans() -> None:
    """CPU time (best of 5) of the MILP plan for largest.json (20 options × 84 months) plus 10,000 Monte Carlo
    samples over every option as configured and the optimised plan; and, on a small project both can solve,
    the optimiser against the brute-force enumeration (tests/plan/reference_plan.py): same objective, speed
    ratio."""
    import json
    from importlib.resources import files

    from planner.engine.plan import plan
    from planner.project import parse_project
    from tests.plan import reference_plan

    p = parse_project(
        json.loads(files("resources.samples").joinpath("largest.json").read_text(encoding="utf-8"))
    )
    base = evaluate(p)
    fixed = {o.name: {"servers": int(o.details["servers"])} for o in base.options if o.kind == "hybrid"}
    plan(p)  # imports scipy.optimize once, outside the timing
    cpu_plan, cpu_mc = [], []
    pl = None
    for _ in range(5):
        c0 = time.process_time()
        pl = plan(p)
        c1 = time.process_time()
        draws, _ = mc.sample_inputs(p, list(p.monte_carlo), SAMPLES, seed=1)
        mc.run_totals_served(p, draws, SAMPLES, fixed)
        mc.plan_totals(p, pl, draws, SAMPLES)
        c2 = time.process_time()
        cpu_plan.append(c1 - c0)
        cpu_mc.append(c2 - c1)
    assert pl is not None and pl.feasible
    together = min(a + b for a, b in zip(cpu_plan, cpu_mc, strict=True))

    small = parse_project(SMALL_PLAN)
    c0 = time.process_time()
    got = plan(small, mip_rel_gap=1e-9)
    opt_s = time.process_time() - c0
    c0 = time.process_time()
    want = reference_plan.best_plan(SMALL_PLAN)
    ref_s = time.process_time() - c0
    assert got.objective == pytest.approx(want, rel=1e-6, abs=0.01)
    print(
        f"\nPlan for largest.json ({len(p.options)} options x {p.horizon_months} months): CPU "
        f"{min(cpu_plan) * 1000:.0f} ms (MILP, HiGHS); {SAMPLES:,} Monte Carlo samples over the options and the "
        f"plan: {min(cpu_mc) * 1000:.0f} ms; together {together * 1000:.0f} ms (target < {PLAN_TARGET_S:.1f} s)"
        f"\n  small project (3 months): optimiser {opt_s * 1000:.1f} ms, brute force {ref_s * 1000:.0f} ms "
        f"(ratio {ref_s / opt_s:.0f}x), same objective {want:,.2f}"
    )
    assert together < PLAN_TARGET_S
