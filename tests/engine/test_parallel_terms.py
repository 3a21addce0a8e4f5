"""Parallelism, FSDP strategies, offload, selective checkpointing and AWQ against hand computations
(bytes -> GB = 1e9). Architecture: Llama-3.1-8B (h 4096, 32 layers, 32 heads, 8 KV heads, INTER 14336)."""

from __future__ import annotations

import pytest

from planner.engine.estimate import EstimateSpec, SpecError, parse_spec
from planner.engine.memory import memory_breakdown
from tests.engine.conftest import LLAMA2_70B, LLAMA31_8B

H, L, INTER, V = 4096, 32, 14336, 128256


def mem(spec: EstimateSpec, key: str) -> float:
    return float(memory_breakdown(spec.model, spec)[key])  # type: ignore[arg-type]


def _base(**kw: object) -> EstimateSpec:
    args: dict[str, object] = {"method": "pretrain", "seq_len": 4096, "grad_checkpointing": True, "n_gpus": 8}
    args.update(kw)
    return EstimateSpec(LLAMA31_8B, **args)  # type: ignore[arg-type]


def test_sequence_parallel_divides_checkpointed_inputs_by_tp() -> None:
    tokens = 4096
    # stored: one bf16 input per layer + embedding output and final norm (4h), all split over TP=4
    ends = tokens * 4 * H * 2
    inputs = tokens * H * 2 * L
    stored_sp = (inputs + ends) / 4
    stored_no_sp = inputs + ends
    # recomputed layer: norms 4h (split by SP) + (Q, K, V, O 4096+2*1024+4096, lse 4*32 B, MLP 4I) / TP
    attn = (4096 + 2 * 1024 + 4096) * 2 + 4 * 32
    per_layer_sp = (4 * H * 2 + attn + 4 * INTER * 2) / 4
    per_layer_no_sp = 4 * H * 2 + (attn + 4 * INTER * 2) / 4
    sp = _base(tensor_parallel=4)
    no_sp = _base(tensor_parallel=4, sequence_parallel=False)
    assert mem(sp, "activations") == pytest.approx((stored_sp + tokens * per_layer_sp) / 1e9, rel=1e-9)
    assert mem(no_sp, "activations") == pytest.approx(
        (stored_no_sp + tokens * per_layer_no_sp) / 1e9, rel=1e-9
    )


def test_context_parallel_gives_each_gpu_a_share_of_the_sequence() -> None:
    cp4 = _base(seq_len=16384, context_parallel=4, sharding="fsdp")
    whole = _base(seq_len=4096, sharding="fsdp")
    assert mem(cp4, "activations") == pytest.approx(mem(whole, "activations"), rel=1e-12)
    assert mem(cp4, "logits") == pytest.approx(4096 * V * 12 / 1e9, rel=1e-12)
    # FSDP shards the states over all 8 GPUs (data- and context-parallel ranks): bf16 weights 2 B / 8
    assert mem(cp4, "weights") == pytest.approx(8.03e9 * 2 / 8 / 1e9, rel=1e-12)


def test_pipeline_in_flight_micro_batches_per_schedule() -> None:
    tokens, per_input = 4096, 4096 * H * 2  # one checkpointed input per layer per micro-batch
    ends = tokens * 4 * H * 2

    def stored(schedule: str, m: int, **kw: object) -> float:
        spec = _base(pipeline_parallel=4, grad_accumulation=m, pipeline_schedule=schedule, **kw)
        recomputed = tokens * ((4 * H + 4096 + 2048 + 4096 + 4 * INTER) * 2 + 4 * 32)
        return mem(spec, "activations") * 1e9 - recomputed - ends

    layers = L / 4
    assert stored("1f1b", 16) == pytest.approx(per_input * layers * 4)  # pp micro-batches in flight
    assert stored("1f1b", 2) == pytest.approx(per_input * layers * 2)  # fewer micro-batches than stages
    assert stored("gpipe", 16) == pytest.approx(per_input * layers * 16)  # every micro-batch
    # interleaved, v = 2 chunks: 4 x (1 + 3/8) = 5.5 micro-batches; capped at m
    assert stored("interleaved", 16) == pytest.approx(per_input * layers * 5.5)
    assert stored("interleaved", 4) == pytest.approx(per_input * layers * 4)


def test_fsdp_with_pipeline_keeps_the_stage_gathered_with_its_gradients() -> None:
    spec = _base(pipeline_parallel=4, grad_accumulation=8, sharding="fsdp", n_gpus=16)
    linear = L * (H * 4096 + 2 * H * 1024 + 4096 * H + 3 * H * INTER)
    stage_bf16 = linear * 2 / 4
    assert mem(spec, "gathered_layers") == pytest.approx(2 * stage_bf16 / 1e9, rel=1e-9)


def test_fsdp_cpu_offload_moves_the_frozen_base_too() -> None:
    spec = EstimateSpec(
        LLAMA2_70B, method="qlora", sharding="fsdp", n_gpus=2, offload="cpu", kbit_upcast=False
    )
    on_gpu = memory_breakdown(LLAMA2_70B, spec)
    assert float(on_gpu["weights"]) == 0.0 and float(on_gpu["quant_constants"]) == 0.0
    assert float(on_gpu["lora_adapters"]) == 0.0
    no_offload = EstimateSpec(LLAMA2_70B, method="qlora", sharding="fsdp", n_gpus=2, kbit_upcast=False)
    base = memory_breakdown(LLAMA2_70B, no_offload)
    moved = float(base["weights"]) + float(base["quant_constants"])
    assert float(on_gpu["host_weights"]) >= moved  # frozen base (and adapters) now in host RAM
    # two 4-bit layers are streamed in: 2 x layer params x (0.5 + 4/64) bytes / 1e9
    per_layer = (8192 * 8192 * 2 + 2 * 8192 * 1024 + 3 * 8192 * 28672) * (0.5 + 4 / 64)
    assert float(on_gpu["gathered_layers"]) == pytest.approx(2 * per_layer / 1e9, rel=1e-3)


def test_fsdp_strategies() -> None:
    def states(strategy: str, n: int = 16) -> float:
        spec = parse_spec(
            {"model": LLAMA31_8B.name, "fsdp_strategy": strategy, "n_gpus": n, "training_precision": "mixed"}
        )
        spec = EstimateSpec(**{**spec.__dict__, "model": LLAMA31_8B})
        m = memory_breakdown(LLAMA31_8B, spec)
        return float(m["weights"]) + float(m["gradients"]) + float(m["optimizer_states"])

    p = 8.03e9
    assert states("no_shard") == pytest.approx(16 * p / 1e9)
    assert states("shard_grad_op") == pytest.approx((2 * p + 14 * p / 16) / 1e9)
    assert states("full_shard") == pytest.approx(16 * p / 16 / 1e9)
    assert states("hybrid_shard") == pytest.approx(16 * p / 8 / 1e9)  # sharded within a node of 8


def test_no_shard_fsdp_keeps_the_logits_alive_as_when_sharded() -> None:
    common: dict[str, object] = {"method": "lora", "n_gpus": 2, "seq_len": 2048, "grad_checkpointing": True}
    ddp = EstimateSpec(LLAMA31_8B, **common)  # type: ignore[arg-type]
    fsdp = EstimateSpec(LLAMA31_8B, sharding="fsdp", fsdp_strategy="no_shard", **common)  # type: ignore[arg-type]
    recomputed = 2048 * ((4 * H + 4096 + 2048 + 4096 + 4 * INTER) * 2 + 4 * 32)
    gap = mem(fsdp, "fwd_bwd_peak") - mem(ddp, "fwd_bwd_peak")
    assert gap == pytest.approx(recomputed / 1e9, rel=1e-6)  # sum of logits and layer, not their max


def test_selective_checkpointing_policies() -> None:
    tokens = 4096
    ends = tokens * 4 * H * 2
    full_layer = (4 * H + 4096 + 2048 + 4096 + 4 * INTER) * 2 + 4 * 32
    # Megatron selective with flash attention: every layer's tensors kept, nothing to recompute
    sel = _base(n_gpus=1, checkpoint_policy="selective")
    assert mem(sel, "activations") == pytest.approx((tokens * full_layer * L + ends) / 1e9, rel=1e-9)
    # op policy: half the matmul outputs (q 4096, k, v 1024, o 4096, gate/up 2I, down 4096), attention
    # output 4096, block input 4096, lse 4*32 bytes; the recomputed layer rebuilds the rest
    saved = (0.5 * (4096 + 2048 + 4096 + 2 * INTER + 4096) + 4096 + 4096) * 2 + 4 * 32
    op = _base(n_gpus=1, checkpoint_policy="op")
    expect = tokens * saved * L + ends + tokens * (full_layer - saved)
    assert mem(op, "activations") == pytest.approx(expect / 1e9, rel=1e-9)


def test_awq_is_a_4bit_scheme_with_group_constants() -> None:
    spec = parse_spec({"model": LLAMA31_8B.name, "method": "inference", "quant_scheme": "awq"})
    assert spec.effective_quant_bits == 4
    spec = EstimateSpec(**{**spec.__dict__, "model": LLAMA31_8B})
    linear = L * (H * 4096 + 2 * H * 1024 + 4096 * H + 3 * H * INTER)
    assert mem(spec, "quant_constants") == pytest.approx(linear * 2.5 / 128 / 1e9, rel=1e-9)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"fsdp_strategy": "no_shard", "sharding": "deepspeed"}, "fsdp_strategy"),
        ({"fsdp_strategy": "full_shard", "zero_stage": 3, "sharding": "fsdp"}, "fsdp_strategy"),
        ({"virtual_stages": 2}, "virtual_stages"),
        (
            {"pipeline_schedule": "interleaved", "virtual_stages": 1, "pipeline_parallel": 2, "n_gpus": 2},
            "virtual_stages",
        ),
        ({"context_parallel": 3, "n_gpus": 4}, "n_gpus"),
        ({"checkpoint_policy": "some"}, "checkpoint_policy"),
    ],
)
def test_bad_parallel_settings_name_the_field(spec: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec({"model": "x", **spec})
    assert err.value.field == field
