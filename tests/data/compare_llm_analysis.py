"""Compare the public calculator llm-analysis (PyPI) with the measured set in memory_measurements.json.

Run with an interpreter that has llm-analysis installed, NOT the project venv, e.g.:

    python3 -m venv /tmp/llma && /tmp/llma/bin/pip install llm-analysis
    /tmp/llma/bin/python tests/data/compare_llm_analysis.py

Mapping (llm-analysis has no LoRA/QLoRA mode): LoRA/QLoRA rows use ``training()`` with the frozen-weight
bit width (16 or 4) and bf16 master weights, i.e. what a user of the calculator would enter; inference rows use
``inference()`` with the prompt and generated-token counts of the source. Peak = its "(weight+op_state+grad+act)"
figure for training, weights + KV cache + max(prefill, decode) activations for inference. GB = 1e9 bytes.
MoE rows pass their expert count and top-k (``moe_num_experts``, ``moe_top_k``) so the calculator sizes every
expert. Rows compared by this model against reserved or nvidia-smi figures get llm-analysis' single peak figure.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
from pathlib import Path

from llm_analysis.analysis import ActivationRecomputation, DSZeRO, LLMAnalysis
from llm_analysis.config import DtypeConfig, GPUConfig, ModelConfig, ParallelismConfig

logging.disable(logging.CRITICAL)
DATA = Path(__file__).with_name("memory_measurements.json")
# Memory set huge so that the calculator reports its estimate instead of refusing configurations it thinks OOM.
A100_40 = GPUConfig("a100-sxm-40gb-unbounded", 10_000, 1555, 300, 8e-6, 312)


def _analysis(model: dict, bits: int, dp: int = 1) -> LLMAnalysis:
    cfg = ModelConfig(
        name=model["name"],
        num_layers=model["layers"],
        n_head=model["heads"],
        hidden_dim=model["hidden"],
        vocab_size=model["vocab"],
        max_seq_len=4096,
        num_key_value_heads=model["kv_heads"],
        ffn_embed_dim=model["intermediate"] if model["intermediate"] % model["hidden"] == 0 else None,
        expansion_ratio=None
        if model["intermediate"] % model["hidden"] == 0
        else model["intermediate"] / model["hidden"],
        moe_num_experts=int(model.get("experts", 1)),
        moe_top_k=int(model.get("experts_per_token", 1)),
    )
    dtype = DtypeConfig(name=f"w{bits}a16e16", weight_bits=bits, activation_bits=16, embedding_bits=16)
    return LLMAnalysis(
        cfg, A100_40, dtype, ParallelismConfig(dp_size=dp), flops_efficiency=0.5, hbm_memory_efficiency=0.9
    )


def predict(row: dict) -> float:
    spec, model = row["spec"], row["model"]
    bits = int(spec.get("quant_bits", 16))
    stage = int(spec.get("zero_stage", 0))
    dp = int(spec.get("n_gpus", 1)) if stage else 1
    la = _analysis(model, bits, dp)
    if spec["method"] == "inference":
        out = la.inference(batch_size_per_gpu=spec["micro_batch"], seq_len=14, num_tokens_to_generate=50)
        act = max(out["prefill_activation_memory_per_gpu"], out["decode_activation_memory_per_gpu"])
        return (out["weight_memory_per_gpu"] + out["kv_cache_memory_per_gpu"] + act) / 1e9
    out = la.training(
        batch_size_per_gpu=spec["micro_batch"],
        seq_len=spec["seq_len"],
        activation_recomputation=(
            ActivationRecomputation.FULL if spec.get("grad_checkpointing") else ActivationRecomputation.NONE
        ),
        ds_zero=[DSZeRO.NONE, DSZeRO.STAGE_1, DSZeRO.STAGE_2, DSZeRO.STAGE_3][stage],
        gradient_accumulation_steps=int(spec.get("grad_accumulation", 1)),
        global_batch_size=spec["micro_batch"] * int(spec.get("grad_accumulation", 1)) * dp,
        master_weights_dtype_bytes=2,
        flash_attn=spec.get("flash_attention", True),
        mlp_gated_linear_units=model.get("mlp") == "gated",
    )
    return out["(weight+op_state+grad+act)_memory_per_gpu"] / 1e9


def main() -> int:
    rows = [r for r in json.loads(DATA.read_text())["rows"] if r["kind"] == "measured"]
    errors = []
    for row in rows:
        try:
            est = predict(row)
        except Exception as exc:  # the calculator rejects some shapes: count as a miss, say so
            print(f"{row['id']:58s} llm-analysis failed: {exc}")
            continue
        err = 100.0 * (est - row["measured_gb"]) / row["measured_gb"]
        errors.append(abs(err))
        print(f"{row['id']:58s} measured {row['measured_gb']:7.2f}  llm-analysis {est:8.2f}  {err:+7.1f}%")
    print(
        f"llm-analysis on {len(errors)}/{len(rows)} measured cases: median |error| {statistics.median(errors):.1f}%,"
        f" worst {max(errors):.1f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
