"""Every memory term against an independent hand computation (bytes -> GB = 1e9)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from planner.catalog import Gpu
from planner.engine.estimate import EstimateSpec, estimate, model_states_gb
from planner.engine.memory import (
    kv_cache_bytes,
    layer_activation_bytes_per_token,
    lora_params,
    memory_breakdown,
    optimizer_bytes_per_param,
)
from tests.engine.conftest import LLAMA2_7B, LLAMA2_70B, LLAMA31_8B, MIXTRAL

P7 = 6.738e9
H100 = Gpu(
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
)


def mem(spec: EstimateSpec, key: str) -> float:
    return float(memory_breakdown(spec.model, spec)[key])  # type: ignore[arg-type]


def spec(**kw: object) -> EstimateSpec:
    kw.setdefault("model", LLAMA2_7B)
    return EstimateSpec(**kw)  # type: ignore[arg-type]


def test_lora_params_match_litgpt_trainable_counts() -> None:
    # lit-gpt resource table: r=8 on query+value -> 4,194,304 trainable parameters for Llama 2 7B
    assert lora_params(LLAMA2_7B, 8, ("q", "v")) == 4_194_304
    # GQA: k/v project to kv_heads*head_dim = 1024 for Llama 3.1 8B
    assert lora_params(LLAMA31_8B, 16, ("q", "k", "v", "o")) == 16 * 32 * (
        (4096 + 4096) * 2 + (4096 + 1024) * 2
    )


def test_pure_bf16_full_states_are_8_bytes_per_param() -> None:
    s = spec(method="full", training_precision="pure_bf16")
    assert mem(s, "weights") == pytest.approx(P7 * 2 / 1e9)
    assert mem(s, "gradients") == pytest.approx(P7 * 2 / 1e9)
    assert mem(s, "optimizer_states") == pytest.approx(P7 * 4 / 1e9)
    assert model_states_gb(s, LLAMA2_7B) == pytest.approx(8 * P7 / 1e9)


def test_mixed_precision_states_are_16_bytes_per_param_and_amp_adds_autocast_copy() -> None:
    s = spec(method="full", training_precision="mixed")
    assert model_states_gb(s, LLAMA2_7B) == pytest.approx(16 * P7 / 1e9)
    assert mem(s, "autocast_cache") > 0  # AMP keeps bf16 copies of the matmul weights
    ds = spec(method="full", training_precision="mixed", sharding="deepspeed")
    assert mem(ds, "weights") == pytest.approx(2 * P7 / 1e9)  # DeepSpeed: bf16 params, fp32 master in states
    assert model_states_gb(ds, LLAMA2_7B) == pytest.approx(16 * P7 / 1e9)


@pytest.mark.parametrize(
    ("optimizer", "precision", "expected"),
    [
        ("adamw", "pure_bf16", 4.0),
        ("adamw_8bit", "pure_bf16", 2.0),
        ("paged_adamw_8bit", "pure_bf16", 2.0),
        ("paged_adamw_32bit", "pure_bf16", 8.0),
        ("sgd", "pure_bf16", 2.0),
        ("adamw", "mixed", 12.0),
        ("adamw_8bit", "mixed", 6.0),
        ("sgd", "mixed", 8.0),
    ],
)
def test_optimizer_state_bytes(optimizer: str, precision: str, expected: float) -> None:
    assert optimizer_bytes_per_param(optimizer, precision, 2.0) == expected


def test_step_peak_can_be_the_peak_and_peak_is_max_not_sum() -> None:
    s = spec(method="full", seq_len=256)
    m = memory_breakdown(LLAMA2_7B, s)
    assert float(m["peak_allocated"]) == pytest.approx(max(float(m["fwd_bwd_peak"]), float(m["step_peak"])))
    assert float(m["step_peak"]) > float(m["fwd_bwd_peak"])  # short sequences: the AdamW step is the peak
    assert float(m["step_buffers"]) == pytest.approx(P7 * 2 / 1e9)  # one extra parameter-sized bf16 buffer
    total = sum(float(m[k]) for k in ("weights", "gradients", "optimizer_states", "activations", "logits"))
    assert float(m["peak_allocated"]) < total + float(m["step_buffers"])


def test_optimizer_in_backward_removes_the_gradient_and_step_peak() -> None:
    base = spec(method="full", seq_len=256)
    fused = spec(method="full", seq_len=256, optimizer_in_backward=True)
    assert mem(fused, "peak_allocated") < mem(base, "peak_allocated") - P7 * 2 / 1e9


def test_logits_term_by_loss_implementation() -> None:
    t = 2 * 2048
    std = spec(model=LLAMA31_8B, method="lora", micro_batch=2, seq_len=2048)
    assert mem(std, "logits") == pytest.approx(t * 128256 * 12 / 1e9)
    chunked = spec(model=LLAMA31_8B, method="lora", micro_batch=2, seq_len=2048, loss_impl="chunked")
    assert mem(chunked, "logits") == pytest.approx(t * 128256 * 6 / 1e9)
    fused = spec(model=LLAMA31_8B, method="lora", micro_batch=2, seq_len=2048, loss_impl="fused")
    assert mem(fused, "logits") < mem(chunked, "logits") / 10


def test_qlora_quantises_only_linear_weights_and_kbit_prep_upcasts_the_rest() -> None:
    q = spec(method="qlora", kbit_upcast=False)
    lin = 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008)
    rest = P7 - lin
    assert mem(q, "weights") == pytest.approx((lin * 0.5 + rest * 2) / 1e9, rel=1e-3)
    assert mem(q, "quant_constants") == pytest.approx(lin * (4 / 64) / 1e9, rel=1e-3)
    dq = spec(method="qlora", kbit_upcast=False, quant_scheme="nf4_dq")
    assert mem(dq, "quant_constants") == pytest.approx(lin * (1 / 64 + 4 / (64 * 256)) / 1e9, rel=1e-3)
    up = spec(method="qlora", kbit_upcast=True)
    assert mem(up, "weights") - mem(q, "weights") == pytest.approx(rest * 2 / 1e9, rel=1e-3)


def test_qlora_peak_is_a_fraction_of_lora_peak_not_a_quarter() -> None:
    for model in (LLAMA2_7B, LLAMA31_8B):
        lora = spec(model=model, method="lora", micro_batch=2, seq_len=1024)
        qlora = spec(model=model, method="qlora", micro_batch=2, seq_len=1024)
        ratio = mem(qlora, "peak_allocated") / mem(lora, "peak_allocated")
        assert 0.4 < ratio < 0.9, ratio


def test_checkpointing_keeps_one_input_per_layer_plus_one_layer() -> None:
    s = spec(method="lora", seq_len=1000, micro_batch=1, grad_checkpointing=True)
    per_layer = layer_activation_bytes_per_token(LLAMA2_7B, 2.0)
    expected = 1000 * (32 * 4096 * 2 + per_layer + 4 * 4096 * 2)
    assert mem(s, "activations") == pytest.approx(expected / 1e9)
    no = spec(method="lora", seq_len=1000, micro_batch=1)
    assert mem(no, "activations") == pytest.approx(1000 * (32 * per_layer + 4 * 4096 * 2) / 1e9)


def test_eager_attention_adds_heads_times_seq_squared_per_layer() -> None:
    flash = spec(method="lora", seq_len=2048, flash_attention=True)
    eager = spec(method="lora", seq_len=2048, flash_attention=False)
    extra = 32 * ((4 + 2) * 32 * 2048 * 2048)  # layers x (fp32 softmax + bf16 probs) x heads x s^2
    assert mem(eager, "activations") - mem(flash, "activations") == pytest.approx(extra / 1e9)


def test_zero3_gathers_two_layers_and_shards_states() -> None:
    s = spec(method="full", n_gpus=8, sharding="fsdp")
    assert mem(s, "weights") == pytest.approx(P7 * 2 / 8 / 1e9)
    lin_layer = 4 * 4096 * 4096 + 3 * 4096 * 11008
    assert mem(s, "gathered_layers") == pytest.approx(2 * lin_layer * 2 / 1e9, rel=1e-3)


def test_cpu_offload_moves_optimizer_states_off_the_gpu() -> None:
    s = spec(method="full", n_gpus=8, zero_stage=2, offload="cpu", training_precision="mixed")
    assert mem(s, "optimizer_states") == 0.0
    s3 = spec(method="full", n_gpus=8, zero_stage=3, offload="cpu", training_precision="mixed")
    assert mem(s3, "weights") == 0.0 and mem(s3, "gathered_layers") > 0


def test_tensor_and_pipeline_parallel_divide_weights() -> None:
    s = spec(method="full", n_gpus=8, tensor_parallel=4, pipeline_parallel=2)
    assert mem(s, "weights") == pytest.approx(P7 * 2 / 8 / 1e9)


def test_moe_weights_count_all_experts_activations_only_routed_ones() -> None:
    dense_like = spec(model=MIXTRAL, method="lora", seq_len=512)
    per_tok = layer_activation_bytes_per_token(MIXTRAL, 2.0)
    mlp_one = 4 * 14336 * 2
    assert per_tok == pytest.approx(
        4 * 4096 * 2 + (4096 + 2 * 1024 + 4096) * 2 + 4 * 32 + 2 * mlp_one + 4 * 8
    )
    assert mem(dense_like, "weights") == pytest.approx(46.7e9 * 2 / 1e9)


def test_lora_adapter_states() -> None:
    s = spec(method="lora", lora_rank=8, lora_targets=("q", "v"))
    assert mem(s, "lora_adapters") == pytest.approx(4_194_304 * (2 + 2 + 4) / 1e9)


def test_inference_kv_cache_and_weights() -> None:
    s = spec(
        model=LLAMA2_70B, method="inference", micro_batch=4, seq_len=4096, kv_cache_precision="fp8", n_gpus=4
    )
    assert mem(s, "kv_cache") == pytest.approx(2 * 80 * 8 * 128 * 4096 * 4 * 1 / 4 / 1e9)
    assert mem(s, "weights") == pytest.approx(68.977e9 * 2 / 4 / 1e9)
    assert float(kv_cache_bytes(LLAMA2_70B, 1, 1, 2.0)) == 2 * 80 * 8 * 128 * 2


def test_dpo_adds_reference_model_and_doubles_tokens() -> None:
    sft = spec(method="full", seq_len=512)
    dpo = spec(method="dpo", seq_len=512)
    assert mem(dpo, "reference_models") == pytest.approx(P7 * 2 / 1e9)
    assert mem(dpo, "logits") == pytest.approx(2 * mem(sft, "logits"))
    peft = spec(method="dpo", seq_len=512, peft=True)
    assert mem(peft, "reference_models") == 0.0  # adapters disabled = reference


def test_ppo_holds_four_models() -> None:
    s = spec(method="ppo", seq_len=512)
    assert mem(s, "reference_models") == pytest.approx(2 * P7 * 2 / 1e9)  # reference + reward
    assert mem(s, "critic_states") == pytest.approx(P7 * 8 / 1e9)  # critic trained like the actor
    assert mem(s, "kv_cache") > 0


def test_reserved_and_device_figures() -> None:
    s = spec(method="lora", fragmentation=0.2, cuda_context_gb=1.0)
    m = memory_breakdown(LLAMA2_7B, s)
    assert float(m["reserved"]) == pytest.approx(1.2 * float(m["peak_allocated"]))
    assert float(m["device"]) == pytest.approx(float(m["reserved"]) + 1.0)


def test_vectorised_call_equals_scalar_calls() -> None:
    s = spec(method="qlora", grad_checkpointing=True)
    seqs = np.array([512, 1024, 4096])[:, None, None]
    batches = np.array([1, 2, 8])[None, :, None]
    gpus = np.array([1, 2, 4, 8])[None, None, :]
    sweep = memory_breakdown(LLAMA2_7B, s, seq_len=seqs, micro_batch=batches, n_gpus=gpus)["device"]
    assert sweep.shape == (3, 3, 4)
    one = memory_breakdown(
        LLAMA2_7B, EstimateSpec(**{**s.__dict__, "seq_len": 1024, "micro_batch": 8, "n_gpus": 4})
    )
    assert float(sweep[1, 2, 3]) == pytest.approx(float(one["device"]))


def test_estimate_fit_margin_and_suggestion() -> None:
    s = spec(method="full", seq_len=2048, training_precision="mixed")  # 16 B/param = 108 GB > 80 GB
    r = estimate(s, LLAMA2_7B, [H100])
    f = r.fits[0]
    assert not f.fits_as_configured and f.margin_gb < 0
    assert f.suggestion is not None and f.min_gpus is not None
    ok = estimate(spec(method="qlora", seq_len=512), LLAMA2_7B, [H100]).fits[0]
    assert ok.fits_as_configured and ok.min_gpus == 1
    # margin: what the GPU has left at the high end of the band (fragmentation 25%, CUDA context 1 GB)
    small = estimate(spec(method="qlora", seq_len=512), LLAMA2_7B, [H100])
    assert small.device_gb_band is not None
    assert small.device_gb_band[1] == pytest.approx(small.peak_gb_per_gpu * 1.25 + 1.0)
    assert small.device_gb_band[0] == pytest.approx(small.peak_gb_per_gpu * 1.05 + 0.5)
    assert ok.margin_gb == pytest.approx(80 - small.device_gb_band[1])
    js = r.to_json()
    assert set(js) >= {
        "peak_gb_per_gpu",
        "device_gb_per_gpu",
        "breakdown_gb",
        "fits",
        "gpu_hours",
        "wall_hours",
        "warnings",
    }
    assert js["fits"][0]["gpu"] == "H100 SXM"


def test_paged_optimizer_states_are_outside_the_allocator() -> None:
    """bitsandbytes paged states live in unified memory: shown separately, not in the allocated peak
    (torchtune PR #961 measured 20.2 GB allocated for a 7B full fine-tune with 54 GB of paged states)."""
    paged = spec(method="full", optimizer="paged_adamw_32bit", seq_len=512)
    plain = spec(method="full", optimizer="adamw", seq_len=512)
    assert mem(paged, "paged_optimizer_states") == pytest.approx(P7 * 8 / 1e9)
    assert mem(paged, "optimizer_states") == 0.0
    assert mem(paged, "peak_allocated") < mem(plain, "peak_allocated")
    r = estimate(paged, LLAMA2_7B, [H100])
    assert any("unified memory" in w for w in r.warnings)


def test_optimizer_in_backward_reports_one_live_gradient() -> None:
    s = spec(method="full", optimizer_in_backward=True)
    assert mem(s, "gradients") == pytest.approx(32000 * 4096 * 2 / 1e9)  # the embedding is the largest tensor


def test_pretrain_sizes_like_full_training() -> None:
    a = memory_breakdown(LLAMA2_7B, spec(method="pretrain", seq_len=4096))
    b = memory_breakdown(LLAMA2_7B, spec(method="full", seq_len=4096))
    assert float(a["device"]) == pytest.approx(float(b["device"]))


def test_checkpointed_loss_and_recomputed_layer_do_not_coexist_on_one_device() -> None:
    """One device: stored inputs + max(logits, one recomputed layer); ZeRO-3/FSDP over >1 rank: their sum."""
    per_layer = layer_activation_bytes_per_token(LLAMA2_7B, 2.0)
    tokens = 4 * 4096
    stored = tokens * (32 * 4096 * 2 + 4 * 4096 * 2)  # one input per layer + embedding/final-norm ends
    logits = tokens * 32000 * 12.0  # standard loss: 12 bytes per logit
    recomputed = tokens * per_layer
    assert logits > recomputed  # so the max and the sum differ
    # resident adapter weights + AdamW states (pure bf16: 2 + 4 bytes); their gradients (2 bytes) come later
    adapters = lora_params(LLAMA2_7B, 16, ("q", "k", "v", "o")) * 6.0 / 1e9
    one = spec(method="lora", micro_batch=4, seq_len=4096, grad_checkpointing=True)
    static = mem(one, "weights") + adapters
    assert mem(one, "fwd_bwd_peak") == pytest.approx(static + (stored + max(logits, recomputed)) / 1e9)
    fsdp = spec(
        method="lora", micro_batch=4, seq_len=4096, grad_checkpointing=True, n_gpus=2, sharding="fsdp"
    )
    static = mem(fsdp, "weights") + mem(fsdp, "gathered_layers") + adapters / 2  # adapters sharded over 2
    assert mem(fsdp, "fwd_bwd_peak") == pytest.approx(static + (stored + logits + recomputed) / 1e9)
    no_ckpt = spec(method="lora", micro_batch=4, seq_len=4096)
    assert mem(no_ckpt, "fwd_bwd_peak") == pytest.approx(
        mem(no_ckpt, "weights") + adapters + mem(no_ckpt, "activations") + logits / 1e9
    )
