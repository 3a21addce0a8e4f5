"""SPEC parsing: defaults, and one error naming the field for every impossible value."""

from __future__ import annotations

from typing import Any

import pytest

from planner.engine.estimate import EstimateSpec, SpecError, parse_spec

INLINE = {
    "params_b": 8.03,
    "layers": 32,
    "hidden": 4096,
    "heads": 32,
    "kv_heads": 8,
    "head_dim": 128,
    "vocab": 128256,
    "intermediate": 14336,
    "mlp": "gated",
    "tied_embeddings": False,
    "experts": 1,
    "experts_per_token": 1,
}


def test_issue_example_parses_with_every_field() -> None:
    d = {
        "model": INLINE, "method": "qlora", "precision": "bf16", "quant_bits": 4, "optimizer": "adamw",
        "micro_batch": 1, "seq_len": 2048, "grad_checkpointing": True, "flash_attention": True,
        "training_precision": "pure_bf16", "loss_impl": "standard", "optimizer_in_backward": False,
        "zero_stage": 0, "sharding": "none", "offload": "none", "activation_offload": False, "n_gpus": 1,
        "lora_rank": 16, "lora_targets": ["q", "k", "v", "o"], "quant_scheme": "nf4", "tokens": 1.0e8,
        "gpu": "H100 SXM",
    }  # fmt: skip
    spec = parse_spec(d)
    assert spec.method == "qlora" and spec.effective_quant_bits == 4 and spec.tokens == 1e8
    assert not isinstance(spec.model, str) and spec.model.kv_heads == 8


def test_defaults() -> None:
    spec = parse_spec({"model": "Llama 3.1 8B"})
    assert spec == EstimateSpec(model="Llama 3.1 8B")
    assert spec.effective_quant_bits == 16 and spec.effective_zero_stage == 0
    assert parse_spec({"model": "x", "method": "qlora"}).effective_quant_bits == 4
    assert parse_spec({"model": "x", "sharding": "fsdp"}).effective_zero_stage == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"method": "rlhf"}, "method"),
        ({"quant_bits": 3}, "quant_bits"),
        ({"micro_batch": -1}, "micro_batch"),
        ({"micro_batch": 0}, "micro_batch"),
        ({"seq_len": 1.5}, "seq_len"),
        ({"zero_stage": 4}, "zero_stage"),
        ({"optimizer": "lion"}, "optimizer"),
        ({"lora_targets": ["q", "x"]}, "lora_targets"),
        ({"grad_checkpointing": "yes"}, "grad_checkpointing"),
        ({"mfu": 1.5}, "mfu"),
        ({"tokens": -5}, "tokens"),
        ({"model": {**INLINE, "layers": 0}}, "model.layers"),
        ({"model": {**INLINE, "kv_heads": 64}}, "model.kv_heads"),
        ({"model": {**INLINE, "params_b": -1}}, "model.params_b"),
        ({"model": {**INLINE, "wings": 2}}, "model.wings"),
        ({"model": {**INLINE, "experts_per_token": 2}}, "model.experts_per_token"),
        ({"method": "full", "quant_bits": 4}, "quant_bits"),
        ({"method": "qlora", "quant_bits": 16}, "quant_bits"),
        ({"quant_bits": 4, "quant_scheme": "int8", "method": "qlora"}, "quant_scheme"),
        ({"n_gpus": 6, "tensor_parallel": 4}, "n_gpus"),
        ({"sharding": "fsdp", "zero_stage": 1}, "zero_stage"),
    ],
)
def test_errors_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec({"model": INLINE, **change})
    assert info.value.field == field
    assert field in str(info.value)


def test_missing_model() -> None:
    with pytest.raises(SpecError) as info:
        parse_spec({"method": "lora"})
    assert info.value.field == "model"
