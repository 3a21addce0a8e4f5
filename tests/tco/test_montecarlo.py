"""Monte Carlo, tornado, break-even, cancel/progress and the model's behaviour on simple projects."""

from __future__ import annotations

import numpy as np
import pytest

from planner.engine import Cancelled, CancelToken
from planner.engine import montecarlo as mc
from planner.engine.tco import evaluate
from planner.project import parse_project
from tests.tco import reference
from tests.tco.bench_project import bench_project


def test_monte_carlo_samples_equal_the_scalar_reference_to_the_cent() -> None:
    p = bench_project(horizon=24)
    base = evaluate(p)
    fixed = {o.name: {"servers": int(o.details["servers"])} for o in base.options if o.kind == "hybrid"}
    draws, _ = mc.sample_inputs(p, list(p.monte_carlo), 12, seed=7)
    totals = mc.run_totals(p, draws, 12, fixed)
    for i in range(12):
        sample = reference.apply_overrides(p, {k: float(v[i]) for k, v in draws.items()})
        ref = reference.evaluate(sample, {k: v["servers"] for k, v in fixed.items()})
        for j, opt in enumerate(p.options):
            assert totals[i, j] == pytest.approx(ref[opt.name]["total"], abs=0.01), (i, opt.name)


def test_monte_carlo_summary_is_reproducible_and_consistent() -> None:
    p = bench_project(horizon=24)
    a = evaluate(p, samples=3000, seed=3).monte_carlo
    b = evaluate(p, samples=3000, seed=3).monte_carlo
    c = evaluate(p, samples=3000, seed=4).monte_carlo
    assert a is not None and b is not None and c is not None
    assert np.array_equal(a.totals, b.totals) and not np.array_equal(a.totals, c.totals)
    assert sum(a.prob_cheapest.values()) == pytest.approx(1.0)
    for name in a.names:
        assert a.p10[name] <= a.p50[name] <= a.p90[name]
    assert a.totals.shape == (3000, len(p.options))


def test_cancel_and_progress() -> None:
    p = bench_project(horizon=24)
    seen: list[float] = []
    evaluate(p, samples=6000, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 5
    token = CancelToken()

    def cancel_midway(x: float) -> None:
        if x > 0.3:
            token.cancel()

    with pytest.raises(Cancelled):
        evaluate(p, samples=20000, cancel=token, progress=cancel_midway)


def _simple(**onprem: object) -> dict:
    return {
        "name": "s",
        "currency": "USD",
        "horizon_months": 36,
        "discount_rate_annual": 0.1,
        "demand": {"gpu_hours_per_month": 4000},
        "options": [
            {"kind": "cloud", "name": "cloud", "rate_per_hour": 3.0, "rate_unit": "gpu"},
            {
                "kind": "onprem",
                "name": "own",
                "servers": 1,
                "server_price": 200000,
                "gpus_per_server": 8,
                **onprem,
            },
        ],
    }


def test_break_even_month_and_utilisation() -> None:
    r = evaluate(parse_project(_simple()))
    be = {(b.a, b.b): b for b in r.break_even}
    # own: 200,000 up front; cloud: 12,000 a month -> own is cheaper from month 17 (16.67 months)
    assert be[("own", "cloud")].month == 17
    assert be[("cloud", "own")].month == 1
    # capacity 8 x 730 x 36 = 210,240 GPU-h; 200,000 / (210,240 x 3.0) = 31.7 %
    assert be[("own", "cloud")].utilization == pytest.approx(200000 / (210240 * 3.0), abs=0.003)
    own = r.option("own")
    assert own.present_value < own.total
    assert own.idle_cost == pytest.approx(200000 * (1 - 4000 / 5840), rel=1e-9)


def test_tornado_swings_are_the_models_response() -> None:
    r = evaluate(parse_project(_simple()))
    bars = {(t.option, t.input): t for t in r.tornado}
    rate = bars[("cloud", "options.cloud.rate_per_hour")]
    assert (rate.low_total, rate.high_total) == pytest.approx((0.8 * 432000, 1.2 * 432000))
    price = bars[("own", "options.own.server_price")]
    assert (price.low_total, price.high_total) == pytest.approx((160000, 240000))
    assert ("own", "options.cloud.rate_per_hour") not in bars


def test_terms_and_views() -> None:
    r = evaluate(
        parse_project(
            _simple(
                residual_fraction=0.25,
                depreciation_months=48,
                finance_rate_annual=0.06,
                finance_months=24,
                lead_time_months=3,
                bridge_option="cloud",
                power_kw_per_server=10.0,
                pue=1.5,
                electricity_per_kwh=0.1,
            )
        )
    )
    own = r.option("own")
    assert own.breakdown["residual"][-1] == pytest.approx(-50000)
    assert own.breakdown["financing"].sum() > 200000  # interest paid
    assert own.breakdown["bridge_cloud"][:3] == pytest.approx([12000] * 3)
    assert own.breakdown["power"][0] == 0 and own.breakdown["power"][3] == pytest.approx(10 * 1.5 * 730 * 0.1)
    # amortised: 200,000 x 0.75 / 48 a month for 36 months + interest
    assert own.total_amortised > 150000 * 36 / 48
    colo = evaluate(
        parse_project(
            _simple(
                power_kw_per_server=10.0,
                colo_per_kw_month=200,
                colo_includes_power=True,
                electricity_per_kwh=0.1,
            )
        )
    ).option("own")
    assert "power" not in colo.breakdown and colo.breakdown["colocation"][0] == pytest.approx(2000)


def test_growth_and_reserved_commitment_paid_when_unused() -> None:
    p = parse_project(
        {
            "name": "g",
            "currency": "USD",
            "horizon_months": 24,
            "demand": {"gpu_hours_per_month": 1000, "growth_annual": 1.0},
            "options": [
                {
                    "kind": "cloud",
                    "name": "ri",
                    "rate_per_hour": 2.0,
                    "rate_unit": "gpu",
                    "gpus_per_instance": 8,
                    "pricing": "reserved",
                    "committed_instances": 1,
                    "on_demand_rate_per_hour": 4.0,
                }
            ],
        }
    )
    r = evaluate(p)
    assert r.demand_gpu_hours[12] == pytest.approx(2000.0)
    ri = r.option("ri")
    assert ri.breakdown["compute_commitment"][0] == pytest.approx(2.0 * 8 * 730)
    assert ri.idle_cost > 0


# ---- Monte Carlo over plans (issue 14, item 6 and item 3's free shortfall) ---------------------------------


def _mc(d: dict, samples: int = 4000, seed: int = 5, plan: bool = False) -> tuple:
    r = evaluate(parse_project({"name": "mc", "currency": "USD", **d}), samples=samples, seed=seed, plan=plan)
    assert r.monte_carlo is not None
    return r, r.monte_carlo


def test_an_option_that_cannot_serve_the_demand_is_never_counted_cheapest() -> None:
    # 1 server of 8 GPUs (5,840 GPU-h a month) against 40,000 GPU-h: it serves 15 % and costs least
    d = {
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 40000},
        "options": [
            {"kind": "cloud", "name": "cloud", "rate_per_hour": 2.0, "rate_unit": "gpu"},
            {"kind": "onprem", "name": "small", "servers": 1, "server_price": 10000, "gpus_per_server": 8},
        ],
    }
    r, m = _mc(d)
    assert r.option("small").total < r.option("cloud").total
    assert m.prob_cheapest == {"cloud": 1.0, "small": 0.0}  # today's engine: "small" cheapest in every sample
    assert m.prob_eligible["small"] == 0.0


def test_shared_inputs_are_drawn_once_so_an_always_dearer_option_is_never_cheapest() -> None:
    # two identical fleets, one with $1,000 more maintenance a year: with the default ranges the server price
    # (one hardware market), power price and staff cost are drawn once for both, so "dearer" never wins
    own = {
        "kind": "onprem",
        "servers": 1,
        "server_price": 200000,
        "gpus_per_server": 8,
        "power_kw_per_server": 10,
        "electricity_per_kwh": 0.12,
        "staff_fte": 0.5,
        "fte_cost_annual": 150000,
    }
    d = {
        "horizon_months": 36,
        "demand": {"gpu_hours_per_month": 4000},
        "options": [
            {**own, "name": "cheaper"},
            {**own, "name": "dearer", "opex_annual_per_server": 1000},
        ],
    }
    _, m = _mc(d)
    assert m.prob_cheapest["dearer"] == 0.0 and m.prob_cheapest["cheaper"] == 1.0


def test_a_shortfall_in_a_sample_is_not_free() -> None:
    # the fleet gives exactly the base demand (5,840 GPU-h); demand.scale ~ U(0.9, 1.1): in about half the
    # samples it is short, and then it is not a plan for that sample (P = 0.5, 3σ at 4,000 samples ≈ 0.024)
    d = {
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 5840},
        "options": [
            {"kind": "cloud", "name": "cloud", "rate_per_hour": 9.0, "rate_unit": "gpu"},
            {"kind": "onprem", "name": "own", "servers": 1, "server_price": 100000, "gpus_per_server": 8},
        ],
        "monte_carlo": [{"path": "demand.scale", "low": 0.9, "high": 1.1, "dist": "uniform"}],
    }
    _, m = _mc(d)
    assert m.prob_eligible["own"] == pytest.approx(0.5, abs=0.025)
    assert m.prob_cheapest["own"] == pytest.approx(m.prob_eligible["own"])  # cheapest whenever it serves


def test_regret_of_the_recommendation_by_hand() -> None:
    # A at $1.90 a GPU-hour (range U(1.0, 2.8)) against B at $2.00 fixed, 1,000 GPU-h a month for 12 months.
    # A is recommended (base 22,800 < 24,000); its regret in a sample is 12,000 × max(0, a − 2):
    # E = 12,000 × ∫_2^2.8 (a − 2) da / 1.8 = 12,000 × 0.32 / 1.8 = 2,133.33.
    d = {
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 1000},
        "options": [
            {"kind": "cloud", "name": "A", "rate_per_hour": 1.9, "rate_unit": "gpu"},
            {"kind": "cloud", "name": "B", "rate_per_hour": 2.0, "rate_unit": "gpu"},
        ],
        "monte_carlo": [{"path": "options.A.rate_per_hour", "low": 1.0, "high": 2.8, "dist": "uniform"}],
    }
    r, m = _mc(d, samples=40000)
    assert r.recommendation is not None and r.recommendation.option == "A"
    assert m.regret is not None and m.regret["mean"] == pytest.approx(12000 * 0.32 / 1.8, rel=0.03)
    assert m.prob_cheapest["A"] == pytest.approx(1.0 / 1.8, abs=0.01)  # P(a < 2) = 1.0 / 1.8


def test_the_optimised_plan_is_repriced_per_sample_with_its_decisions_fixed() -> None:
    # 12-month reservation of one 8-GPU instance at $50/h covers 5,840 GPU-h a month; demand × U(0.5, 1.5):
    # above 1 the extra runs on demand at 98.32 / 8 per GPU-hour, below 1 the reservation is still paid.
    d = {
        "horizon_months": 12,
        "demand": {"gpu_hours_per_month": 5840},
        "options": [
            {
                "kind": "cloud",
                "name": "od",
                "rate_per_hour": 98.32,
                "rate_unit": "instance",
                "gpus_per_instance": 8,
            },
            {
                "kind": "cloud",
                "name": "ri",
                "rate_per_hour": 50.0,
                "rate_unit": "instance",
                "gpus_per_instance": 8,
                "pricing": "reserved",
                "term_months": 12,
                "on_demand_rate_per_hour": 98.32,
            },
        ],
        "monte_carlo": [{"path": "demand.scale", "low": 0.5, "high": 1.5, "dist": "uniform"}],
    }
    r, m = _mc(d, samples=2000, plan=True)
    assert r.plan is not None and r.plan.total == pytest.approx(12 * 730 * 50.0)
    draws, _ = mc.sample_inputs(
        r_project := parse_project({"name": "mc", "currency": "USD", **d}),
        list(r_project.monte_carlo),
        2000,
        5,
    )
    k = draws["demand.scale"]
    want = 12 * 730 * 50.0 + np.maximum(k - 1.0, 0.0) * 12 * 5840 * 98.32 / 8
    assert m.plan_totals is not None and np.allclose(m.plan_totals, want, rtol=1e-9)
    assert m.plan is not None and m.plan["prob_eligible"] == 1.0
