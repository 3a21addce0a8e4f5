"""Predicted training throughput against measured tokens/s per GPU with full configurations
(tests/data/time_measurements.json: torchtitan pretraining on A100/H100, fsdp_qlora LoRA/QLoRA on RTX 4090).
The MFU defaults were fitted on the tuning rows; the held-out rows are scored apart. Median |error| per
method must stay under 15% in both groups."""

from __future__ import annotations

import collections
import datetime as dt
import json
import statistics
from pathlib import Path

import pytest

from planner.catalog import Gpu, ModelArch
from planner.engine.estimate import estimate, parse_model, parse_spec

DATA = Path(__file__).resolve().parents[1] / "data" / "time_measurements.json"
# catalog figures (resources/catalog/gpus.csv): memory GB, HBM GB/s, dense bf16 / fp8 TFLOPS, TDP, link GB/s
GPUS = {
    "A100 SXM 80GB": Gpu(
        "NVIDIA",
        "A100 SXM 80GB",
        "SXM",
        80,
        2039,
        312,
        None,
        400,
        "NVLink 3",
        600,
        None,
        None,
        "",
        dt.date(2025, 1, 1),
    ),
    "H100 SXM": Gpu(
        "NVIDIA",
        "H100 SXM",
        "SXM",
        80,
        3350,
        989.4,
        1978.9,
        700,
        "NVLink",
        900,
        None,
        None,
        "",
        dt.date(2025, 1, 1),
    ),
    "RTX 4090": Gpu(
        "NVIDIA",
        "RTX 4090",
        "consumer",
        24,
        1008,
        165.2,
        330.3,
        450,
        "PCIe Gen4 x16",
        64,
        None,
        None,
        "",
        dt.date(2025, 1, 1),
    ),
}


def _errors(holdout: bool) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = collections.defaultdict(list)
    for row in json.loads(DATA.read_text())["rows"]:
        if row["holdout"] is not holdout:
            continue
        spec = parse_spec({"model": row["model"], **row["spec"]})
        model = parse_model(row["model"])
        assert isinstance(model, ModelArch), row["id"]  # each row gives its architecture inline
        result = estimate(spec, model, [GPUS[row["spec"]["gpu"]]])
        assert result.wall_hours is not None and spec.tokens is not None
        predicted = spec.tokens / (result.wall_hours * 3600.0) / spec.n_gpus
        out[spec.method].append((row["id"], 100.0 * (predicted - row["measured"]) / row["measured"]))
    return out


@pytest.mark.parametrize("holdout", [False, True], ids=["tuning", "held-out"])
def test_time_error_per_method(holdout: bool) -> None:
    for method, errors in sorted(_errors(holdout).items()):
        for name, err in errors:
            print(f"{name:45s} {err:+6.1f}%")
        abs_err = [abs(e) for _, e in errors]
        median = statistics.median(abs_err)
        print(
            f"{'held-out' if holdout else 'tuning'} {method}: {len(errors)} rows, median |error| {median:.1f}%"
        )
        assert median <= 15.0, method


def test_rows_are_sourced_and_a_third_is_held_out() -> None:
    rows = json.loads(DATA.read_text())["rows"]
    assert all(r["source_url"].startswith("https://") and len(r["source_commit"]) == 40 for r in rows)
    assert sum(r["holdout"] for r in rows) >= len(rows) // 3 - 1
