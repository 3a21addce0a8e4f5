"""`planner tco` end to end (real files, real catalog database for workloads that name catalog models)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.analysis.catalog import EMPTY_CATALOG
from planner.analysis.resolve import resolve_workloads
from planner.engine.tco import evaluate
from planner.project import ProjectError, parse_project
from ui.cli import main

SAMPLE = Path(__file__).parents[2] / "resources" / "samples" / "case_study_midsize_research.json"


def test_json_output_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tco", str(SAMPLE), "--json", "--samples", "500"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert {"options", "break_even", "recommendation", "warnings"} <= set(j)
    opt = j["options"][0]
    assert {"name", "kind", "total", "monthly", "cumulative", "per_used_gpu_hour", "breakdown"} <= set(opt)
    assert len(opt["monthly"]) == len(opt["cumulative"]) == 36
    assert {"a", "b", "month", "utilization"} <= set(j["break_even"][0])
    assert {"option", "kind", "reasons"} <= set(j["recommendation"])
    assert j["monte_carlo"]["samples"] == 500
    totals = {o["name"]: o["total"] for o in j["options"]}
    assert totals == {"Cloud on-demand GPUs": 60000.0, "Local GPU setup": 65000.0}


def test_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tco", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Recommendation: Cloud on-demand GPUs" in out and "$60,000" in out and "$65,000" in out


def test_bad_project_exits_2_naming_key_and_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "name": "x",
                "currency": "USD",
                "horizon_months": 12,
                "options": [{"kind": "cloud", "name": "GPU cloud", "rate_per_hour": 2.0}],
            }
        )
    )
    assert main(["tco", str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    assert "GPU cloud" in err and "rate_unit" in err and capsys.readouterr().out == ""


def _workload_project(model: object) -> dict:
    return {
        "name": "w",
        "currency": "USD",
        "horizon_months": 12,
        "workloads": [
            {
                "name": "lora",
                "runs_per_month": 4,
                "gpu": "H100 SXM",
                "gpus": 8,
                "model": model,
                "estimate": {"method": "lora", "tokens": 2e8, "micro_batch": 4, "seq_len": 2048},
            }
        ],
        "options": [{"kind": "cloud", "name": "c", "rate_per_hour": 3.0, "rate_unit": "gpu"}],
    }


def test_workloads_naming_catalog_models_resolve_through_the_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "w.json"
    f.write_text(json.dumps(_workload_project("Llama 2 7B")))
    assert main(["tco", str(f), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    served = j["options"][0]["served_gpu_hours"]
    job = served / (4 * 12)  # GPU-hours per run
    billed_s = math.ceil(job / 8 * 3600 - 1e-9)  # per-second billing of each run on 8 GPUs
    assert served > 0
    assert j["options"][0]["total"] == pytest.approx(4 * 12 * 8 * billed_s / 3600 * 3.0, abs=0.01)


def test_embedded_model_needs_no_catalog_but_a_gpu_lookup() -> None:
    arch = {
        "name": "tiny",
        "params_b": 1.0,
        "layers": 16,
        "hidden": 2048,
        "heads": 16,
        "vocab": 32000,
        "intermediate": 5632,
    }
    p = parse_project(_workload_project(arch))
    with pytest.raises(ProjectError) as info:
        resolve_workloads(p, EMPTY_CATALOG)
    assert info.value.key == "workloads[0].gpu"
    from db.analysis_catalog import DbCatalog

    resolved = resolve_workloads(p, DbCatalog()).project
    w = resolved.workloads[0]
    assert w.gpu_hours_per_run is not None and w.gpu_hours_per_run > 0
    r = evaluate(resolved)
    billed_s = math.ceil(w.gpu_hours_per_run / 8 * 3600 - 1e-9)
    assert r.option("c").total == pytest.approx(4 * 12 * 8 * billed_s / 3600 * 3.0, abs=0.01)


def test_unresolved_workload_is_refused_by_the_engine() -> None:
    p = parse_project(_workload_project("Llama 2 7B"))
    with pytest.raises(ValueError, match="not resolved"):
        evaluate(p)


SAMPLES_DIR = Path(__file__).parents[2] / "resources" / "samples"


@pytest.mark.parametrize(
    ("sample", "label"),
    [
        ("research_spot", "Cloud (spot instances)"),
        ("fraud_detection_hybrid", "Hybrid (on-premises base + cloud burst)"),
    ],
)
def test_recommendation_kind_is_the_option_enum_and_label_the_words(
    sample: str, label: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tco", str(SAMPLES_DIR / f"{sample}.json"), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    rec = j["recommendation"]
    chosen = next(o for o in j["options"] if o["name"] == rec["option"])
    assert rec["kind"] == chosen["kind"] and rec["kind"] in {"cloud", "onprem", "managed_k8s", "hybrid"}
    assert rec["label"] == label
    assert main(["tco", str(SAMPLES_DIR / f"{sample}.json")]) == 0
    assert f"— {label}" in capsys.readouterr().out
