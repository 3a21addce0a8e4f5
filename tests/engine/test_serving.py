"""Serving: paged KV cache, the pool a serving engine sizes, prefill/decode time, requests per second and
GPUs for a load - against hand computations and TensorRT-LLM's published throughputs
(tests/data/serving_measurements.json, a third of the rows held out of the calibration)."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from pathlib import Path

import pytest

from planner.catalog import Gpu, ModelArch
from planner.engine import serving as sv
from planner.engine.estimate import EstimateSpec, SpecError, estimate, parse_model, parse_spec
from planner.engine.memory import memory_breakdown
from tests.engine.conftest import LLAMA2_7B, LLAMA31_8B

DATA = Path(__file__).resolve().parents[1] / "data" / "serving_measurements.json"
# catalog figures (resources/catalog/gpus.csv): memory GB, HBM GB/s, dense bf16 / fp8 TFLOPS, NVLink GB/s
GPUS = {
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
    "H200 SXM": Gpu(
        "NVIDIA",
        "H200 SXM",
        "SXM",
        141,
        4800,
        989,
        1979,
        700,
        "NVLink",
        900,
        None,
        None,
        "",
        dt.date(2025, 1, 1),
    ),
}
H100 = GPUS["H100 SXM"]
KV_8B_BF16 = 2 * 32 * 8 * 128 * 2  # bytes per token: K and V, 32 layers, 8 KV heads of 128


def _errors(holdout: bool) -> list[tuple[str, float]]:
    out = []
    for row in json.loads(DATA.read_text())["rows"]:
        if row["holdout"] is not holdout:
            continue
        spec = parse_spec({"model": row["model"], **row["spec"]})
        model = parse_model(row["model"])
        assert isinstance(model, ModelArch), row["id"]  # each row gives its architecture inline
        est = sv.serving_estimate(model, spec, GPUS[row["gpu"]])
        tps = est.output_tokens_per_s_per_gpu * est.gpus_per_replica
        out.append((row["id"], 100.0 * (tps - row["measured"]) / row["measured"]))
    return out


@pytest.mark.parametrize("holdout", [False, True], ids=["tuning", "held-out"])
def test_throughput_against_tensorrt_llm(holdout: bool) -> None:
    errors = _errors(holdout)
    for name, err in errors:
        print(f"{name:50s} {err:+6.1f}%")
    abs_err = [abs(e) for _, e in errors]
    median, worst = statistics.median(abs_err), max(abs_err)
    print(
        f"{'held-out' if holdout else 'tuning'} rows {len(errors)}: median |error| {median:.1f}%, worst {worst:.1f}%"
    )
    assert median <= 15.0
    assert worst <= 40.0


def test_rows_are_sourced_and_a_third_is_held_out() -> None:
    rows = json.loads(DATA.read_text())["rows"]
    assert all(r["source_url"].startswith("https://") and len(r["source_commit"]) == 40 for r in rows)
    assert sum(r["holdout"] for r in rows) == len(rows) // 10 * 3


def test_paged_cache_holds_whole_blocks() -> None:
    assert sv.paged_tokens(2049, 16) == 2064
    assert sv.paged_tokens(2048, 16) == 2048
    assert sv.paged_tokens(2049, None) == 2049


def test_inference_memory_prefills_the_prompt_and_caches_prompt_plus_generation() -> None:
    spec = EstimateSpec(
        LLAMA31_8B, method="inference", prompt_len=2048, gen_len=2048, micro_batch=4, flash_attention=False
    )
    m = memory_breakdown(LLAMA31_8B, spec)
    assert float(m["kv_cache"]) == pytest.approx(4 * 4096 * KV_8B_BF16 / 1e9)
    per_layer = (4 * 4096 + 4096 + 2 * 1024 + 4096) * 2 + 4 * 32 + 4 * 14336 * 2  # flash tensors per token
    scores = 6 * 32 * 2048  # fp32 softmax + bf16 probabilities per token, prompt of 2048
    assert float(m["activations"]) == pytest.approx(4 * 2048 * (per_layer + scores) / 1e9)


def test_kv_pool_is_what_vllm_sizes() -> None:
    spec = EstimateSpec(
        LLAMA31_8B,
        method="inference",
        prompt_len=1000,
        gen_len=1000,
        micro_batch=256,
        gpu_memory_utilization=0.9,
    )
    weights = 8.03e9 * 2
    per_layer = (4 * 4096 + 4096 + 2 * 1024 + 4096) * 2 + 4 * 32 + 4 * 14336 * 2
    profile = 8192 * per_layer + 256 * 128256 * 4
    pool = 0.9 * 80e9 - weights - profile - 0.3e9
    assert sv.kv_pool_bytes_per_gpu(LLAMA31_8B, spec, H100) == pytest.approx(pool)
    est = sv.serving_estimate(LLAMA31_8B, spec, H100)
    assert est.max_concurrency == pytest.approx(pool / (KV_8B_BF16 * 2000))  # 2000 = 125 blocks of 16


def test_small_batch_decode_reads_weights_and_kv_cache() -> None:
    spec = EstimateSpec(LLAMA2_7B, method="inference", prompt_len=1024, gen_len=1024, micro_batch=1)
    est = sv.serving_estimate(LLAMA2_7B, spec, H100)
    kv = 2 * 32 * 32 * 128 * 2 * (1024 + 512)  # mean context: prompt + half the generation
    memory = (6.738e9 * 2 + kv) / (3350e9 * sv.DECODE_BW_EFFICIENCY)
    assert est.tpot_s == pytest.approx(memory, rel=0.01)  # compute at batch 1 is ~1% of it
    assert est.bound == "memory bandwidth"


def test_requests_per_second_sizes_gpus_and_monthly_gpu_hours() -> None:
    raw = {
        "model": "x",
        "method": "inference",
        "prompt_len": 512,
        "gen_len": 256,
        "micro_batch": 64,
        "n_gpus": 2,
        "requests_per_s": 40.0,
        "gpu": "H100 SXM",
    }
    spec = EstimateSpec(**{**parse_spec(raw).__dict__, "model": LLAMA31_8B})
    r = estimate(spec, LLAMA31_8B, [H100])
    assert r.serving is not None
    rps = r.serving["requests_per_s_per_replica"]
    replicas = math.ceil(40.0 / rps)
    assert r.serving["gpus_needed"] == 2 * replicas
    assert r.gpu_hours == pytest.approx(2 * replicas * 730, rel=1e-9)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"method": "lora", "prompt_len": 100}, "prompt_len"),
        ({"method": "inference", "gen_len": 100}, "gen_len"),
        ({"method": "inference", "requests_per_s": 3}, "requests_per_s"),
        ({"method": "inference", "prompt_len": 10, "requests_per_s": 3, "tokens": 1e6}, "tokens"),
        ({"method": "inference", "gpu_memory_utilization": 1.5}, "gpu_memory_utilization"),
    ],
)
def test_bad_serving_settings_name_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec({"model": "x", **raw})
    assert err.value.field == field


def test_kv_pool_against_vllms_own_accounting() -> None:
    """vLLM PR #10511 (https://github.com/vllm-project/vllm/pull/10511, maintainer's sanity check of
    2024-12-13): `vllm serve meta-llama/Meta-Llama-3-8B` on one H100 (torch reports 79.22 GiB), utilisation
    0.90, max_num_seqs 256, profile pass of max_model_len = 8192 tokens: weights 14.96 GiB, activation peak
    1.26 GiB, non-torch 1.79 GiB, KV pool 53.29 GiB."""
    gib = 2**30
    h100 = Gpu(
        "NVIDIA",
        "H100 SXM",
        "SXM",
        79.22 * gib / 1e9,
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
    )
    llama3_8b = LLAMA31_8B  # same architecture as Llama 3 8B (8.03B, 32 layers, 8 KV heads, vocab 128,256)
    spec = EstimateSpec(
        llama3_8b,
        method="inference",
        prompt_len=1024,
        gen_len=1024,
        micro_batch=256,
        gpu_memory_utilization=0.90,
        max_batched_tokens=8192,
    )
    assert sv.weight_bytes(llama3_8b, spec) / gib == pytest.approx(14.96, rel=0.002)
    assert sv.profile_activation_bytes(llama3_8b, spec) / gib == pytest.approx(1.26, rel=0.15)
    pool = sv.kv_pool_bytes_per_gpu(llama3_8b, spec, h100)
    assert pool is not None and pool / gib == pytest.approx(53.29, rel=0.05)
