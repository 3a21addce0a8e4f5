"""Rules are constraints: the traps of issue 14 (items 1, 3, 4, 5, 7), each with its hand computation.

Every project here is small enough to compute on paper; the expected figures come from that arithmetic,
written out next to each assertion, never from the engine's output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from planner.engine import reasons as R
from planner.engine.tco import TcoResult, evaluate
from planner.explain import explain
from planner.project import parse_project
from ui.cli import main

AWS = {
    "kind": "cloud",
    "name": "AWS p5 on-demand",
    "rate_per_hour": 98.32,
    "rate_unit": "instance",
    "gpus_per_instance": 8,
}


def _run(d: dict[str, Any]) -> TcoResult:
    return evaluate(parse_project({"name": "t", "currency": "USD", **d}))


def _codes(reasons: Any) -> list[str]:
    return [r.code for r in reasons]


def _hipaa_one_server() -> dict[str, Any]:
    # 8 jobs of 8 GPUs × 100 h = 6,400 GPU-hours a month; one 8-GPU server gives 8 × 730 = 5,840 GPU-hours,
    # i.e. one job slot: served 5,840 / 6,400 = 91.25 %.
    return {
        "horizon_months": 12,
        "compliance": ["hipaa"],
        "demand": {"gpu_hours_per_month": 6400, "jobs_per_month": 8, "gpus_per_job": 8},
        "options": [
            AWS,
            {"kind": "onprem", "name": "1x HGX", "servers": 1, "server_price": 300000, "gpus_per_server": 8},
        ],
    }


def test_hipaa_data_never_goes_to_uncertified_cloud_and_the_fix_is_one_more_server() -> None:
    r = _run(_hipaa_one_server())
    assert r.recommendation is None  # today's engine recommended AWS p5 for patient data
    aws = r.statuses["AWS p5 on-demand"]
    assert aws.codes == (R.REGULATED_UNCERTIFIED,)
    assert aws.why[0].figures["regimes"] == ("hipaa",)
    own = r.statuses["1x HGX"]
    assert own.codes == (R.UNSERVED,)
    assert own.why[0].figures["served_share"] == pytest.approx(0.9125)
    assert own.why[0].figures["unserved_gpu_hours"] == pytest.approx(12 * (6400 - 5840))
    codes = _codes(r.blocked_by)
    assert codes[0] == R.NO_COMPLIANT_PLAN
    fix = next(x for x in r.blocked_by if x.code == R.ADD_SERVERS)
    assert (fix.figures["servers"], fix.figures["needed"], fix.figures["extra"]) == (1, 2, 1)
    assert fix.figures["extra_capex"] == pytest.approx(300000)
    # two servers: capex 600,000 (no running costs given) over 12 × 6,400 = 76,800 GPU-hours = 7.8125 a GPU-hour
    cloud = next(x for x in r.blocked_by if x.code == R.CERTIFIED_CLOUD)
    assert cloud.figures["max_rate_per_gpu_hour"] == pytest.approx(7.8125)
    text = " ".join(explain(x) for x in r.blocked_by)
    assert "one more server" in text and "HIPAA (45 CFR §164)" in text and "$7.81 per GPU-hour" in text


def test_bridge_during_lead_time_must_be_certified_too() -> None:
    # 5,000 GPU-hours a month, continuous; the server goes live after 2 months, bridged by a cloud.
    d: dict[str, Any] = {
        "horizon_months": 12,
        "compliance": ["hipaa"],
        "demand": {"gpu_hours_per_month": 5000},
        "options": [
            {"kind": "cloud", "name": "public", "rate_per_hour": 1.0, "rate_unit": "gpu"},
            {
                "kind": "cloud",
                "name": "certified",
                "rate_per_hour": 10.0,
                "rate_unit": "gpu",
                "certifications": ["hipaa"],
            },
            {
                "kind": "onprem",
                "name": "own",
                "servers": 1,
                "server_price": 100000,
                "gpus_per_server": 8,
                "lead_time_months": 2,
                "bridge_option": "public",
            },
        ],
    }
    r = _run(d)
    own = r.statuses["own"]
    assert own.codes == (R.REGULATED_UNCERTIFIED,)  # today's engine let this pass the HIPAA rule
    assert own.why[0].options == ("own", "public") and own.why[0].figures["months"] == 2
    assert r.recommendation is not None and r.recommendation.option == "certified"
    d["options"][2]["bridge_option"] = "certified"
    r = _run(d)
    # own: capex 100,000 + 2 bridge months × 5,000 GPU-h × 10 = 200,000; certified cloud: 12 × 5,000 × 10 = 600,000
    assert r.option("own").total == pytest.approx(200000)
    assert r.recommendation is not None and r.recommendation.option == "own"


def test_unserved_demand_is_never_free_even_half_a_percent() -> None:
    # 5,840 GPU-h of capacity against 5,869.2 GPU-h demanded (0.5 % more): the fleet is not a plan
    r = _run(
        {
            "horizon_months": 12,
            "demand": {"gpu_hours_per_month": 5869.2},
            "options": [
                {"kind": "cloud", "name": "cloud", "rate_per_hour": 3.0, "rate_unit": "gpu"},
                {"kind": "onprem", "name": "own", "servers": 1, "server_price": 1000, "gpus_per_server": 8},
            ],
        }
    )
    assert r.statuses["own"].codes == (R.UNSERVED,)
    assert r.statuses["own"].why[0].figures["unserved_gpu_hours"] == pytest.approx(12 * 29.2)
    assert r.recommendation is not None and r.recommendation.option == "cloud"
    assert R.EXCLUDED_CHEAPER in _codes(r.recommendation.explained)


def test_ranking_is_by_present_value_when_a_discount_rate_is_set() -> None:
    # cloud: 730 GPU-h × $1 a month, 12 months = 8,760 cash; owned: 8,700 paid at month 1.
    # PV at 10 %: cloud 730 × Σ 1.1^(−m/12), owned 8,700 × 1.1^(−1/12).
    pv_cloud = 730.0 * sum(1.1 ** (-m / 12) for m in range(1, 13))
    pv_own = 8700.0 * 1.1 ** (-1 / 12)
    assert pv_cloud < pv_own and 8760 > 8700
    r = _run(
        {
            "horizon_months": 12,
            "discount_rate_annual": 0.10,
            "demand": {"gpu_hours_per_month": 730},
            "options": [
                {"kind": "cloud", "name": "cloud", "rate_per_hour": 1.0, "rate_unit": "gpu"},
                {
                    "kind": "onprem",
                    "name": "own",
                    "servers": 1,
                    "server_price": 8700,
                    "gpus_per_server": 1,
                    "depreciation_months": 12,
                },
            ],
        }
    )
    assert r.recommendation is not None and r.recommendation.option == "cloud"  # today: "own" on cash
    best = next(x for x in r.recommendation.explained if x.code == R.CHEAPEST)
    assert best.figures["metric"] == "present_value"
    assert best.figures["value"] == pytest.approx(pv_cloud, abs=0.01)
    assert best.figures["runner_up_value"] == pytest.approx(pv_own, abs=0.01)


def test_scale_is_a_warning_not_a_filter() -> None:
    # 1,080 GPUs around the clock for 60 months: rent 60 × 1,080 × 730 × $4 = 189,216,000;
    # own 135 servers × 8 GPUs (= 1,080) × $300,000 = 40,500,000.
    r = _run(
        {
            "horizon_months": 60,
            "demand": {"gpu_hours_per_month": 1080 * 730},
            "options": [
                {"kind": "cloud", "name": "rent", "rate_per_hour": 4.0, "rate_unit": "gpu"},
                {
                    "kind": "onprem",
                    "name": "own",
                    "servers": 135,
                    "server_price": 300000,
                    "gpus_per_server": 8,
                    "depreciation_months": 60,
                },
            ],
        }
    )
    assert r.option("rent").total == pytest.approx(189_216_000)
    assert r.option("own").total == pytest.approx(40_500_000)
    rec = r.recommendation
    assert rec is not None and rec.option == "own"  # today's engine: rent at 189 M
    assert "scale" in rec.rules_fired
    caution = next(x for x in rec.cautions if x.code == R.SCALE_OWNED)
    assert caution.figures["peak_gpus"] == pytest.approx(1080)


def test_an_option_missing_prices_is_incomplete_and_never_ranked() -> None:
    r = _run(
        {
            "horizon_months": 12,
            "demand": {"gpu_hours_per_month": 100},
            "options": [
                {"kind": "cloud", "name": "blank", "rate_per_hour": 0, "rate_unit": "gpu"},
                {
                    "kind": "cloud",
                    "name": "staffed",
                    "rate_per_hour": 0.5,
                    "rate_unit": "gpu",
                    "staff_fte": 1,
                },
                {
                    "kind": "cloud",
                    "name": "committed",
                    "rate_per_hour": 0.4,
                    "rate_unit": "gpu",
                    "pricing": "reserved",
                },
                {"kind": "cloud", "name": "priced", "rate_per_hour": 2.0, "rate_unit": "gpu"},
            ],
        }
    )
    assert r.statuses["blank"].why[0].figures["needs"] == ("rate_per_hour",)
    assert r.statuses["staffed"].why[0].figures["needs"] == ("fte_cost_annual",)
    assert r.statuses["committed"].why[0].figures["needs"] == ("on_demand_rate_per_hour",)
    assert r.recommendation is not None and r.recommendation.option == "priced"  # today: "blank" at 0
    assert "blank is incomplete: it needs the hourly rate" in explain(r.statuses["blank"].why[0])


def test_utilisation_counts_idle_months_and_compares_with_a_rented_plan() -> None:
    # one 8-GPU server fully busy in months 1–3 of 36 and idle after: 3 / 36 = 8.33 % average utilisation
    profile = [1, 1, 1] + [0] * 33
    r = _run(
        {
            "horizon_months": 36,
            "demand": {"gpu_hours_per_month": 5840, "monthly_profile": profile},
            "options": [
                {
                    "kind": "cloud",
                    "name": "cheap commitment",
                    "rate_per_hour": 0.01,
                    "rate_unit": "gpu",
                    "pricing": "reserved",
                },
                {"kind": "cloud", "name": "on-demand", "rate_per_hour": 1.0, "rate_unit": "gpu"},
                {"kind": "onprem", "name": "own", "servers": 1, "server_price": 100000, "gpus_per_server": 8},
            ],
        }
    )
    rec = r.recommendation
    assert rec is not None and rec.option == "on-demand"  # 3 × 5,840 × $1 = 17,520 against 100,000
    # the commitment (8 instances sized to the peak × 730 h × $0.01 × 36 = 2,102) is the cheapest rented
    # option, but it is incomplete (no on-demand rate): the rule compares with the on-demand plan
    assert r.option("cheap commitment").total == pytest.approx(8 * 730 * 0.01 * 36)
    low = next(x for x in rec.explained if x.code == R.LOW_UTILIZATION)
    assert low.figures["utilization"] == pytest.approx(3 / 36, abs=1e-4)  # today's engine: 100 %
    assert low.options == ("own", "on-demand")  # not the incomplete commitment


def test_reserved_bridge_is_billed_at_its_on_demand_rate() -> None:
    # 2 lead-time months × 100 GPU-h × $3 on-demand = 600 (today: at the $1 reserved rate, 200)
    r = _run(
        {
            "horizon_months": 6,
            "demand": {"gpu_hours_per_month": 100},
            "options": [
                {
                    "kind": "cloud",
                    "name": "ri",
                    "rate_per_hour": 1.0,
                    "rate_unit": "gpu",
                    "pricing": "reserved",
                    "committed_instances": 1,
                    "on_demand_rate_per_hour": 3.0,
                },
                {
                    "kind": "onprem",
                    "name": "own",
                    "servers": 1,
                    "server_price": 1000,
                    "gpus_per_server": 1,
                    "lead_time_months": 2,
                    "bridge_option": "ri",
                },
            ],
        }
    )
    assert r.option("own").breakdown["bridge_cloud"].sum() == pytest.approx(600.0)


def test_classified_data_needs_an_air_gapped_option() -> None:
    r = _run(
        {
            "horizon_months": 12,
            "compliance": ["classified"],
            "demand": {"gpu_hours_per_month": 100},
            "options": [
                {
                    "kind": "cloud",
                    "name": "gov",
                    "rate_per_hour": 1.0,
                    "rate_unit": "gpu",
                    "certifications": ["classified"],
                },
                {
                    "kind": "onprem",
                    "name": "connected",
                    "servers": 1,
                    "server_price": 1000,
                    "gpus_per_server": 1,
                },
            ],
        }
    )
    assert r.recommendation is None
    assert r.statuses["connected"].codes == (R.NOT_AIR_GAPPED,)
    assert r.statuses["gov"].codes == (R.REGULATED_UNCERTIFIED,)  # classified: never cloud
    fix = next(x for x in r.blocked_by if x.code == R.AIR_GAPPED_OPTION)
    assert fix.options == ("connected",)


def test_cli_json_has_null_recommendation_and_blocked_by(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps({"name": "hospital", "currency": "USD", **_hipaa_one_server()}), encoding="utf-8"
    )
    assert main(["tco", str(path), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["recommendation"] is None
    blocked = j["recommendation_blocked_by"]
    assert blocked[0]["code"] == "no_compliant_plan" and blocked[0]["text"].startswith("No recommendation")
    assert j["option_status"]["AWS p5 on-demand"]["plan"] is False
    assert main(["tco", str(path)]) == 0
    assert "No recommendation" in capsys.readouterr().out


SAMPLES = Path(__file__).parents[2] / "resources" / "samples"


@pytest.mark.parametrize("sample", sorted(p.stem for p in SAMPLES.glob("*.json")))
def test_every_worded_reason_is_client_language(sample: str) -> None:
    project = parse_project(json.loads((SAMPLES / f"{sample}.json").read_text(encoding="utf-8")))
    if not all(w.resolved for w in project.workloads):
        pytest.skip("its workloads name catalog models (checked with the catalog in tests/report)")
    r = evaluate(project)
    found = list(r.blocked_by) + [x for s in r.statuses.values() for x in s.why]
    if r.recommendation is not None:
        found += [*r.recommendation.explained, *r.recommendation.cautions]
    for reason in found:
        text = explain(reason, r.currency)
        names = "".join(reason.options)
        for bad in (r"\bNone\b", r"\bnan\b", r"\bseed\b", "_", r"(?<![\d,])00[012](?![\d,])", r"\{", r"\["):
            assert not re.search(bad, text) or re.search(bad, names), (bad, text)


def test_a_regime_from_the_rules_file_is_a_constraint_too() -> None:
    # gdpr_health (resources/compliance/regimes.toml): any cloud may process it inside the EU/EEA; outside,
    # only under Chapter V conditions; an option that does not say where it runs cannot be shown to comply.
    from dataclasses import replace

    from planner.project import CloudOption, Demand, Project

    base = Project(
        name="clinic",
        horizon_months=12,
        compliance=frozenset({"gdpr_health"}),
        demand=Demand(gpu_hours_per_month=1000),
        options=(
            CloudOption(name="Frankfurt", rate_per_hour=2.0, provider="AWS", region="eu-central-1"),
            CloudOption(name="Virginia", rate_per_hour=1.5, provider="AWS", region="us-east-1"),
            CloudOption(name="unstated", rate_per_hour=1.0),
        ),
    )
    r = evaluate(base)
    assert r.statuses["unstated"].codes == (R.REGULATED_UNCERTIFIED,)
    assert r.statuses["Virginia"].plan and r.statuses["Frankfurt"].plan
    rec = r.recommendation
    assert rec is not None and rec.option == "Virginia"  # 12 × 1,000 × 1.5 = 18,000 < 24,000
    caution = next(x for x in rec.cautions if x.code == R.COMPLIANCE_CONDITIONAL)
    assert caution.figures["regimes"] == ("gdpr_health",)
    assert "GDPR health-data rules" in explain(caution)
    # the plan may not use the option that does not say where it runs
    r = evaluate(replace(base, options=base.options[2:]), plan=True)
    assert r.recommendation is None and r.plan is not None and r.plan.status == "infeasible"


def test_a_hybrid_split_stays_within_the_users_maximum_and_is_then_not_a_plan() -> None:
    # 24 GPUs of latency-bound serving (24 × 730 = 17,520 GPU-h a month) on a hybrid allowed 2 servers of 8:
    # the split owns 2 (today's engine bought 3); a 24-GPU job does not fit on 16 GPUs, so all of it,
    # 17,520 × 6 = 105,120 GPU-h, stays unserved
    r = _run(
        {
            "horizon_months": 6,
            "workloads": [
                {
                    "name": "serving",
                    "runs_per_month": 1,
                    "gpu_hours_per_run": 24 * 730,
                    "gpus": 24,
                    "pinned_onprem": True,
                }
            ],
            "options": [
                {
                    "kind": "hybrid",
                    "name": "hyb",
                    "onprem": {"servers": 2, "server_price": 1000, "gpus_per_server": 8},
                    "burst": {"rate_per_hour": 1.0, "rate_unit": "gpu"},
                }
            ],
        }
    )
    assert r.option("hyb").details["servers"] == 2
    st = r.statuses["hyb"]
    assert st.codes == (R.UNSERVED,) and st.why[0].figures["unserved_gpu_hours"] == pytest.approx(105120)
    assert r.recommendation is None


def test_the_results_view_says_there_is_no_recommendation_and_why() -> None:
    import types

    from ui.editor.results_panel import recommendation_html

    r = _run(_hipaa_one_server())
    html = recommendation_html(types.SimpleNamespace(tco=r))  # type: ignore[arg-type]
    assert "No recommendation" in html and "one more server for 1x HGX" in html
    assert "Why no option is a plan" in html and "serves only 91%" in html


def test_reasons_say_why_each_alternative_loses_and_what_drives_the_cost() -> None:
    # own: 8,700 in month 1; cloud: 730 GPU-h × $1 a month for 24 months = 17,520. Own is recommended; the
    # cloud loses by 8,820 (101 %); own's cumulative cash is at or below the cloud's from month 12 (8,760).
    r = _run(
        {
            "horizon_months": 24,
            "demand": {"gpu_hours_per_month": 730},
            "options": [
                {"kind": "cloud", "name": "cloud", "rate_per_hour": 1.0, "rate_unit": "gpu"},
                {"kind": "onprem", "name": "own", "servers": 1, "server_price": 8700, "gpus_per_server": 1},
            ],
        }
    )
    rec = r.recommendation
    assert rec is not None and rec.option == "own"
    alt = next(x for x in rec.explained if x.code == R.ALTERNATIVE)
    assert alt.options == ("cloud", "own")
    assert alt.figures["more"] == pytest.approx(8820) and alt.figures["break_even_month"] == 12
    assert "cloud loses by $8,820 (101% more)" in explain(alt) and "from month 12" in explain(alt)
    drivers = next(x for x in rec.explained if x.code == R.DRIVERS)
    assert (
        drivers.figures["terms"] == ("capex",)
        and explain(drivers) == "Largest costs of own: hardware purchase 100 %."
    )
    best = next(x for x in rec.explained if x.code == R.CHEAPEST)
    assert "(101% more)" in explain(best)


def test_the_presentation_layer_may_format_the_amounts() -> None:
    from ui.present import money

    r = _run(_hipaa_one_server())
    fix = next(x for x in r.blocked_by if x.code == R.ADD_SERVERS)
    assert "about $300,000 more capital" in explain(fix, "USD", money)
    assert "about 300000 USD more capital" in explain(fix, "USD", lambda v, c: f"{v:.0f} {c}")
