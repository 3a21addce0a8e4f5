"""GPU memory model for training, fine-tuning and inference of transformer LLMs (numpy, vectorised).

Units: bytes inside the formulas, GB (10^9 bytes, as frameworks print ``max_memory_allocated() / 1e9``
and as vendors market memory) in every public result. Every function takes numpy arrays for the
sweep axes ``seq_len``, ``micro_batch`` and ``n_gpus`` and broadcasts them, so one call evaluates a whole
grid (sequence length x batch x GPU count); the GPU type axis is the comparison against each GPU's
memory (see :func:`fits_matrix`).

The formulas, their derivation and the source of each constant are in docs/MEMORY_MODEL.md. In short:

* model states per GPU = weights + gradients + optimizer states, in bytes per parameter that depend on
  ``training_precision`` (pure bf16 = 2+2+4; mixed precision with fp32 master weights = 2+2+12, the
  ZeRO paper's K=12), sharded by ZeRO/FSDP stage over the data-parallel degree;
* activations = stored tensors per layer per token (norm inputs/outputs, Q/K/V, attention output, MLP
  intermediates; plus batch x heads x seq^2 scores without flash attention, with Hugging Face's fp32
  softmax), one input per layer plus one recomputed layer with gradient checkpointing;
* logits/loss = tokens x vocabulary x bytes per logit for the loss implementation; with checkpointing the
  loss is freed before the last layer is recomputed, so only the larger of the two counts on one device
  (both under ZeRO-3/FSDP sharding, as measured);
* peak allocated = max(forward/backward peak, optimizer-step peak); reserved = allocated x (1 +
  fragmentation); device (what nvidia-smi shows) = reserved + CUDA context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from planner.catalog import ModelArch

if TYPE_CHECKING:
    from planner.engine.estimate import EstimateSpec

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | int | npt.ArrayLike

GB = 1e9
"""Bytes per GB (decimal)."""

DTYPE_BYTES: dict[str, float] = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}

CUDA_CONTEXT_GB = 0.75
"""CUDA context + cuBLAS/cuDNN handles outside the PyTorch allocator: 0.5-1 GB measured; we use the middle."""

FRAGMENTATION = 0.10
"""Reserved / allocated - 1 for the caching allocator: 5-30% reported; 10% default (spec can override)."""

# Bytes per quantised parameter, including the quantisation constants (see docs/MEMORY_MODEL.md).
# nf4: 4 bits + one fp32 absmax per 64-weight block = 0.5 + 4/64 bytes.
# nf4_dq (double quantisation): 0.5 + 1/64 + 4/(64*256) bytes (QLoRA paper: 0.127 bits of constants).
# gptq: 4 bits + fp16 scale and packed 4-bit zero per 128-weight group.
# int8 (LLM.int8): 1 byte + fp32 scale per output row (negligible).
# awq (AutoAWQ GEMM/GEMV, vLLM): 4 bits + an fp16 scale and a packed 4-bit zero point per 128-weight group.
QUANT_VALUE_BYTES: dict[str, float] = {"nf4": 0.5, "nf4_dq": 0.5, "gptq": 0.5, "awq": 0.5, "int8": 1.0}
QUANT_CONST_BYTES: dict[str, float] = {
    "nf4": 4.0 / 64.0,
    "nf4_dq": 1.0 / 64.0 + 4.0 / (64.0 * 256.0),
    "gptq": (2.0 + 0.5) / 128.0,
    "awq": (2.0 + 0.5) / 128.0,
    "int8": 0.0,
}


# --------------------------------------------------------------------------------------------------
# Parameter accounting
# --------------------------------------------------------------------------------------------------


def attention_params_per_layer(model: ModelArch) -> float:
    """Parameters of Q, K, V and O projections in one layer (count)."""
    q = model.hidden * model.heads * model.head_dim
    kv = 2 * model.hidden * model.kv_heads * model.head_dim
    o = model.heads * model.head_dim * model.hidden
    return float(q + kv + o)


def mlp_params_per_expert(model: ModelArch) -> float:
    """Parameters of one MLP (expert): 3*h*I for a gated MLP, 2*h*I for a plain one (count)."""
    mats = 3 if model.mlp == "gated" else 2
    return float(mats * model.hidden * model.intermediate)


def embedding_params(model: ModelArch) -> float:
    """Input embedding plus output head (0 extra when tied) (count)."""
    return float(model.vocab * model.hidden * (1 if model.tied_embeddings else 2))


def total_params(model: ModelArch) -> float:
    """Total parameters (count): the catalog's ``params_b`` is authoritative."""
    return model.params_b * 1e9


def active_params(model: ModelArch) -> float:
    """Parameters used per token (count): ``active_params_b`` for MoE, else derived from experts_per_token."""
    if model.active_params_b:
        return model.active_params_b * 1e9
    if model.experts > 1:
        idle = (model.experts - model.experts_per_token) * mlp_params_per_expert(model) * model.layers
        return max(total_params(model) - idle, 0.0)
    return total_params(model)


def linear_params(model: ModelArch) -> float:
    """Parameters in the transformer blocks' linear layers, i.e. what 4/8-bit quantisation shrinks (count)."""
    derived = model.layers * (
        attention_params_per_layer(model) + model.experts * mlp_params_per_expert(model)
    )
    rest = total_params(model) - embedding_params(model)
    return float(min(derived, rest)) if rest > 0 else derived


def layer_params(model: ModelArch) -> float:
    """Parameters of one transformer block (count), used for ZeRO-3/FSDP gathered layers."""
    return linear_params(model) / max(model.layers, 1)


LORA_SHAPES = ("q", "k", "v", "o", "gate", "up", "down", "lm_head")


def lora_params(model: ModelArch, rank: int, targets: tuple[str, ...]) -> float:
    """Trainable LoRA parameters (count): rank x (in + out) per targeted matrix per layer (x experts for MLP)."""
    h, q_out, kv_out = model.hidden, model.heads * model.head_dim, model.kv_heads * model.head_dim
    inter = model.intermediate
    per_layer = {
        "q": h + q_out,
        "k": h + kv_out,
        "v": h + kv_out,
        "o": q_out + h,
        "gate": (h + inter) * model.experts,
        "up": (h + inter) * model.experts,
        "down": (inter + h) * model.experts,
    }
    if model.mlp != "gated":
        per_layer["gate"] = 0
    total = sum(per_layer.get(t, 0) for t in targets) * model.layers
    if "lm_head" in targets:
        total += model.hidden + model.vocab
    return float(rank * total)


# --------------------------------------------------------------------------------------------------
# Model states: weights, gradients, optimizer states (bytes per parameter)
# --------------------------------------------------------------------------------------------------


def zero_model_states_bytes(params: ArrayLike, n_gpus: ArrayLike, stage: int) -> FloatArray:
    """DeepSpeed ZeRO model-state bytes per GPU for mixed-precision Adam (ZeRO paper, K = 12).

    stage 0: 16P; stage 1: 4P + 12P/N; stage 2: 2P + 14P/N; stage 3: 16P/N (P parameters, N GPUs).
    These are exactly the seed formulas (“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §2.1); :func:`model_state_bytes` generalises them to
    other precisions and optimizers.
    """
    p = np.asarray(params, dtype=np.float64)
    n = np.asarray(n_gpus, dtype=np.float64)
    return model_state_bytes(p, n, stage, weight_b=2.0, grad_b=2.0, opt_b=12.0)


def model_state_bytes(
    params: ArrayLike, n_gpus: ArrayLike, stage: int, *, weight_b: float, grad_b: float, opt_b: float
) -> FloatArray:
    """Weights + gradients + optimizer states per GPU (bytes) under ZeRO ``stage`` over ``n_gpus`` ranks.

    Stage 1 shards optimizer states, stage 2 also gradients, stage 3 also weights (FSDP FULL_SHARD).
    """
    p = np.asarray(params, dtype=np.float64)
    n = np.maximum(np.asarray(n_gpus, dtype=np.float64), 1.0)
    w = weight_b * p / (n if stage >= 3 else 1.0)
    g = grad_b * p / (n if stage >= 2 else 1.0)
    o = opt_b * p / (n if stage >= 1 else 1.0)
    return np.asarray(w + g + o, dtype=np.float64)


def optimizer_bytes_per_param(optimizer: str, training_precision: str, param_bytes: float) -> float:
    """Optimizer-state bytes per trainable parameter.

    pure_bf16: states in the parameter dtype (AdamW 2 states), 8-bit optimizers 2 x 1 byte, paged 32-bit
    AdamW 2 x 4 bytes, SGD momentum 1 state, Adafactor factored second moment (~0).
    mixed: adds the fp32 master copy (4 bytes) and keeps 32-bit states (AdamW 8 bytes) -> K = 12.
    """
    master = 4.0 if training_precision == "mixed" else 0.0
    state_b = 4.0 if training_precision == "mixed" else param_bytes
    per_opt = {
        "adamw": 2.0 * state_b,
        "paged_adamw_32bit": 8.0,
        "adamw_8bit": 2.0,
        "paged_adamw_8bit": 2.0,
        "sgd": state_b,
        "adafactor": 0.02,
    }
    return master + per_opt[optimizer]


def step_temp_bytes_per_param(
    optimizer: str, training_precision: str, param_bytes: float, fused: bool
) -> float:
    """Extra bytes per parameter allocated during a non-fused optimizer step (a foreach AdamW step
    materialises about one more parameter-sized buffer, e.g. the denominator sqrt(v)+eps)."""
    if fused or optimizer in ("adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit"):
        return 0.0
    state_b = 4.0 if training_precision == "mixed" else param_bytes
    return {"adamw": state_b, "sgd": 0.0, "adafactor": state_b}[optimizer]


# --------------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------------


def layer_activation_bytes_per_token(
    model: ModelArch, act_b: float, tp: int = 1, sequence_parallel: bool = False
) -> float:
    """Bytes stored for backward by one transformer block per token, flash attention (no s^2 term).

    Two RMSNorm/LayerNorm inputs and outputs (4h), Q/K/V (heads*d + 2*kv_heads*d), the attention
    output feeding O (heads*d), fp32 log-sum-exp per head, and the MLP intermediates: gated = gate,
    up, act(gate), product (4*I) ; plain = fc1 output and its activation (2*I), times experts per token.
    Tensor parallelism divides everything but the norms by ``tp``; with sequence parallelism (Megatron-LM
    ``--sequence-parallel``, torchtitan's ``SequenceParallel`` norms) the norms are split along the
    sequence and divided by ``tp`` too.
    """
    h, qd, kvd = model.hidden, model.heads * model.head_dim, model.kv_heads * model.head_dim
    norms = 4 * h * act_b / (tp if sequence_parallel else 1)
    attn = (qd + 2 * kvd + qd) * act_b + 4.0 * model.heads
    mlp_mult = 4 if model.mlp == "gated" else 2
    mlp = mlp_mult * model.intermediate * act_b * model.experts_per_token
    router = 4.0 * model.experts if model.experts > 1 else 0.0
    return float(norms + (attn + mlp + router) / tp)


def op_policy_saved_bytes_per_token(model: ModelArch, act_b: float, tp: int = 1) -> float:
    """Bytes one block keeps per token under PyTorch's selective (op-level) checkpointing policy as
    torchtitan configures it (``selective_ac_option = "op"``): the outputs of every second matmul, the
    attention outputs with their fp32 log-sum-exp, and the block input; everything else is recomputed.
    """
    h, qd, kvd = model.hidden, model.heads * model.head_dim, model.kv_heads * model.head_dim
    mlp_out = (2 * model.intermediate + h) if model.mlp == "gated" else (model.intermediate + h)
    matmul_outputs = qd + 2 * kvd + h + mlp_out * model.experts_per_token
    saved = (0.5 * matmul_outputs + qd + h) * act_b + 4.0 * model.heads
    return float(saved / tp)


COMPILED_OP_POLICY_SAVED = 0.83
"""Share of the op policy's saved bytes a transformer block compiled with torch.compile keeps.

Compile's partitioner decides again what to save and what to recompute inside each block under selective
(op) checkpointing, and saves less. Fitted on one measurement: torchtitan's Llama 3.1 8B FSDP on 8 H100s,
local batch 2, op checkpointing, 82.4 GiB eager and 77.0 GiB compiled (benchmarks/llama3_h100_202412,
Table 1; the eager breakdown's 33.3 GB of saved tensors -> 1 - 5.8 / 33.3 = 0.83). Checked on Table 3
(the same run on 128 GPUs: -5.0 GiB measured, -5.3 GiB modelled). Full and Megatron-selective
checkpointing save only the block inputs (or all but the attention core) and are left unchanged.
Float8 linear layers (torchao, tensor-wise scaling, Float8 all-gather) moved the same runs by 0.2 GiB or
less (77.0 -> 76.8, 62.0 -> 61.8): Float8 changes time, not the memory model.
"""


def eager_score_bytes_per_token(
    model: ModelArch, seq_len: ArrayLike, act_b: float, tp: int = 1
) -> FloatArray:
    """Without flash attention (bytes per token per layer, so batch x heads x seq^2 per layer in total).

    Hugging Face's eager attention (Llama, Mistral, Qwen, ... ``eager_attention_forward``) computes the
    softmax in fp32 and casts it back: ``softmax(scores, dim=-1, dtype=torch.float32).to(query.dtype)``.
    Autograd keeps the fp32 softmax output (softmax backward needs it, 4 bytes) and the cast probabilities
    that multiply V (``act_b`` bytes) - 4 + act_b bytes per score, 6 in bf16/fp16 (8 in fp32).
    Validated on the llama-recipes FSDP LoRA row (tests/data/memory_measurements.json).
    """
    s = np.asarray(seq_len, dtype=np.float64)
    return np.asarray((4.0 + act_b) * model.heads / tp * s, dtype=np.float64)


LOSS_BYTES_PER_LOGIT: dict[str, float] = {"standard": 12.0, "chunked": 6.0, "fused": 0.0}
"""Bytes per (token x vocab) logit at the loss peak.

standard: bf16 logits upcast to fp32, fp32 log-softmax saved for backward, then its fp32 gradient and
the softmax-backward output coexist -> ~12 bytes. chunked: bf16 logits + the saved fp32 (or bf16) log-softmax
chunks -> ~6. fused (Liger / Cut-Cross-Entropy / Unsloth kernels): logits never materialised; only a
hidden-sized working set, counted separately.
"""


def logits_bytes(
    model: ModelArch, tokens: ArrayLike, loss_impl: str, act_b: float, tp: int = 1
) -> FloatArray:
    """Logits + loss working set (bytes) for ``tokens`` tokens in the micro-batch."""
    t = np.asarray(tokens, dtype=np.float64)
    vocab = model.vocab / tp
    per = LOSS_BYTES_PER_LOGIT[loss_impl]
    if loss_impl == "fused":
        return np.asarray(t * model.hidden * 2 * 4.0, dtype=np.float64)
    return np.asarray(t * vocab * max(per, act_b), dtype=np.float64)


def kv_cache_bytes(
    model: ModelArch, batch: ArrayLike, context: ArrayLike, kv_bytes: float, tp: ArrayLike = 1
) -> FloatArray:
    """Inference KV cache (bytes): 2 (K and V) x layers x kv_heads x head_dim x context x batch x bytes / tp."""
    b = np.asarray(batch, dtype=np.float64)
    s = np.asarray(context, dtype=np.float64)
    per_token = 2.0 * model.layers * model.kv_heads * model.head_dim * kv_bytes
    return np.asarray(per_token * b * s / np.asarray(tp, dtype=np.float64), dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# The full breakdown
# --------------------------------------------------------------------------------------------------

TRAINABLE_FULL = ("pretrain", "full", "dpo", "ppo")


def _param_bytes(spec: EstimateSpec) -> float:
    """Bytes of a trainable/frozen weight in the compute precision (fp8 training keeps bf16 weights)."""
    if spec.precision == "fp32":
        return 4.0
    return 1.0 if (spec.precision == "fp8" and spec.method == "inference") else 2.0


def _act_bytes(spec: EstimateSpec) -> float:
    return 4.0 if spec.precision == "fp32" else 2.0


def _is_peft(spec: EstimateSpec) -> bool:
    return spec.method in ("lora", "qlora") or (spec.method in ("dpo", "ppo") and spec.peft)


def frozen_base_bytes(model: ModelArch, spec: EstimateSpec) -> tuple[float, float, float]:
    """(frozen weights, quantisation constants, upcast extra) bytes for one copy of a frozen base model."""
    pb = _param_bytes(spec)
    p_total, p_lin = total_params(model), linear_params(model)
    p_rest = p_total - p_lin
    bits = spec.effective_quant_bits
    if bits >= 16:
        return p_total * pb, 0.0, 0.0
    scheme = spec.effective_quant_scheme
    values = p_lin * QUANT_VALUE_BYTES[scheme]
    consts = p_lin * QUANT_CONST_BYTES[scheme]
    # k-bit preparation (peft.prepare_model_for_kbit_training) casts every non-quantised parameter
    # (embeddings, output head, norms) to fp32 - a training-time effect only.
    rest_b = 4.0 if (spec.kbit_upcast and spec.method != "inference") else pb
    return values + p_rest * pb, consts, p_rest * (rest_b - pb)


def memory_breakdown(
    model: ModelArch,
    spec: EstimateSpec,
    seq_len: ArrayLike | None = None,
    micro_batch: ArrayLike | None = None,
    n_gpus: ArrayLike | None = None,
) -> dict[str, FloatArray]:
    """Per-GPU memory terms in GB, broadcast over ``seq_len`` x ``micro_batch`` x ``n_gpus`` arrays.

    Omitted axes take the spec's value. Keys: the breakdown terms (weights, gradients, optimizer_states,
    activations, logits, lora_adapters, quant_constants, kv_cache, reference_models, gathered_layers,
    step_buffers, ...), plus ``peak_allocated`` (max of the forward/backward and optimizer-step peaks),
    ``reserved`` (x (1 + fragmentation)), ``cuda_context`` and ``device`` (reserved + context).
    With ``offload`` the bytes moved off the GPU are the ``host_optimizer_states``, ``host_gradients`` and
    ``host_weights`` keys (host RAM or NVMe, per GPU): never part of the GPU figures.
    """
    s = np.asarray(spec.seq_len if seq_len is None else seq_len, dtype=np.float64)
    b = np.asarray(spec.micro_batch if micro_batch is None else micro_batch, dtype=np.float64)
    n = np.asarray(spec.n_gpus if n_gpus is None else n_gpus, dtype=np.float64)
    if spec.method == "inference":
        terms = _inference_terms(model, spec, s, b, n)
    else:
        terms = _training_terms(model, spec, s, b, n)
    shape = np.broadcast(s, b, n).shape
    out: dict[str, FloatArray] = {}
    for k, v in terms.items():
        a = np.asarray(v, dtype=np.float64) / GB
        out[k] = a if a.shape == shape else np.broadcast_to(a, shape)  # broadcasting only what needs it
    return out


memory_sweep = memory_breakdown
"""Alias used by the charts: the same function evaluated on arrays."""


def _finish(terms: dict[str, Any], fwd_bwd: Any, step: Any, spec: EstimateSpec) -> dict[str, Any]:
    peak = np.maximum(fwd_bwd, step)
    terms["fwd_bwd_peak"] = fwd_bwd
    terms["step_peak"] = step
    terms["peak_allocated"] = peak
    terms["fragmentation"] = peak * spec.fragmentation
    terms["reserved"] = peak * (1.0 + spec.fragmentation)
    terms["cuda_context"] = np.full_like(np.asarray(peak, dtype=np.float64), spec.cuda_context_gb * GB)
    terms["device"] = terms["reserved"] + terms["cuda_context"]
    # band from the framework profile: the caching allocator's overhead and the CUDA context vary with the
    # framework, its version and the run (FRAGMENTATION_BAND, CUDA_CONTEXT_BAND_GB); "fits" uses the high end
    frag_lo, frag_hi, ctx_lo, ctx_hi = _band(spec)
    terms["device_low"] = peak * (1.0 + frag_lo) + ctx_lo * GB
    terms["device_high"] = peak * (1.0 + frag_hi) + ctx_hi * GB
    return terms


FRAGMENTATION_BAND = (0.05, 0.25)
"""Reserved / allocated - 1 across frameworks: 5-30% reported; measured in the validation sets 1.12-1.27
(fsdp_qlora LoRA runs, llama-recipes FSDP1)."""

CUDA_CONTEXT_BAND_GB = (0.5, 1.0)
"""CUDA context and library handles outside the allocator: 0.5-1 GB measured."""


def _band(spec: EstimateSpec) -> tuple[float, float, float, float]:
    """(fragmentation low, high, CUDA context low, high GB), always bracketing the spec's own figures; a
    serving engine (``gpu_memory_utilization``) preallocates its pool and its spec carries no fragmentation."""
    frag = spec.fragmentation
    if spec.method == "inference" and spec.gpu_memory_utilization is not None:
        lo_f, hi_f = frag, frag
    else:
        lo_f, hi_f = min(frag, FRAGMENTATION_BAND[0]), max(frag, FRAGMENTATION_BAND[1])
    ctx = spec.cuda_context_gb
    return lo_f, hi_f, min(ctx, CUDA_CONTEXT_BAND_GB[0]), max(ctx, CUDA_CONTEXT_BAND_GB[1])


def _inference_terms(model: ModelArch, spec: EstimateSpec, s: Any, b: Any, n: Any) -> dict[str, Any]:
    """Served inference: weights, the KV cache of ``b`` concurrent sequences of prompt + generated tokens
    (whole blocks with a paged cache), one layer's prefill activations - the prompts of all ``b`` sequences
    at once (Hugging Face ``generate``) or, for a serving engine (``gpu_memory_utilization``), its profile
    pass of ``max_batched_tokens`` tokens - and fp32 logits of each sequence's last token."""
    tp = np.maximum(n, 1.0)  # inference across n GPUs = tensor parallel
    weights, consts, _ = frozen_base_bytes(model, spec)
    act_b = _act_bytes(spec)
    prompt: Any = s
    context: Any = s
    if spec.prompt_len is not None:
        prompt = np.asarray(float(spec.prompt_len)) + 0.0 * s
        context = prompt + float(spec.gen_len or 0)
    block = spec.kv_block_size or (16 if spec.gpu_memory_utilization is not None else None)
    if block:
        context = np.ceil(context / block) * block
    kv = kv_cache_bytes(model, b, context, DTYPE_BYTES[spec.kv_cache_precision], tp)
    if spec.gpu_memory_utilization is not None:
        prefill = spec.max_batched_tokens * layer_activation_bytes_per_token(model, act_b) / tp + 0.0 * b
    else:
        prefill = b * prompt * layer_activation_bytes_per_token(model, act_b) / tp
        if not spec.flash_attention:
            prefill = prefill + b * prompt * eager_score_bytes_per_token(model, prompt, act_b) / tp
    logits = b * model.vocab * 4.0
    terms: dict[str, Any] = {
        "weights": weights / tp,
        "quant_constants": consts / tp,
        "kv_cache": kv,
        "activations": prefill,
        "logits": logits + 0.0 * s,
    }
    peak = terms["weights"] + terms["quant_constants"] + kv + prefill + logits
    return _finish(terms, peak, peak * 0.0, spec)


@dataclass
class _Layout:
    """Per-call constants of a training job: precisions, parallel degrees and the ZeRO sharding rule."""

    pb: float  # bytes per weight in the compute dtype
    act_b: float  # bytes per activation element
    tp: int
    pp: int
    cp: int  # context parallel: the sequence is split over cp GPUs
    sp: bool  # sequence parallelism with TP (norms and layer inputs divided by tp)
    mp: float  # tp * pp (the degrees that split the weights)
    dp: Any  # data-parallel degree (array over n_gpus), context-parallel ranks included
    shard_dp: Any  # ranks a sharded state is split over (dp, or the GPUs of a node for hybrid sharding)
    stage: int
    peft: bool
    mixed: bool
    sharded: bool
    fsdp: bool
    fused_step: bool
    offload: bool
    offload_params: bool  # FSDP CPUOffload(offload_params=True) / ZeRO-3 offload_param: every parameter

    def shard(self, x: Any, min_stage: int) -> Any:
        """Divide by model parallelism, and by the sharding degree when the ZeRO stage shards this state."""
        return x / self.mp / (self.shard_dp if self.stage >= min_stage else 1.0)


@dataclass
class _States:
    """Model-state terms (bytes) and what the peaks need from them."""

    terms: dict[str, Any]
    static: Any  # resident through the whole step (weights, optimizer states, frozen copies ...)
    grads: Any  # all gradients of one step
    step_tmp: Any  # extra buffers of the optimizer step
    biggest_grad: Any  # live gradient when the step is fused into backward


def _layout(spec: EstimateSpec, n: Any) -> _Layout:
    mp = float(spec.tensor_parallel * spec.pipeline_parallel)
    dp = np.maximum(np.floor(n / mp), 1.0)
    shard_dp = dp
    if spec.fsdp_strategy in ("hybrid_shard", "hybrid_shard_grad_op"):
        shard_dp = np.minimum(dp, max(spec.gpus_per_node // int(mp), 1))  # shard in a node, replicate across
    fsdp = spec.sharding == "fsdp"
    offload = spec.offload != "none"
    stage = spec.effective_zero_stage
    return _Layout(
        pb=_param_bytes(spec),
        act_b=_act_bytes(spec),
        tp=spec.tensor_parallel,
        pp=spec.pipeline_parallel,
        cp=spec.context_parallel,
        sp=spec.sequence_parallel and spec.tensor_parallel > 1,
        mp=mp,
        dp=dp,
        shard_dp=shard_dp,
        stage=stage,
        peft=_is_peft(spec),
        mixed=spec.training_precision == "mixed",
        sharded=spec.sharding != "none" or spec.zero_stage > 0,
        fsdp=fsdp,
        fused_step=spec.sharding == "deepspeed" or (spec.zero_stage > 0 and spec.sharding != "fsdp"),
        offload=offload,
        offload_params=offload and (fsdp or stage >= 3),
    )


def _paged(spec: EstimateSpec) -> bool:
    return spec.optimizer.startswith("paged_")


def _peft_states(model: ModelArch, spec: EstimateSpec, lay: _Layout, n: Any) -> _States:
    """Frozen base (bf16 or k-bit, possibly upcast) + LoRA adapters trained in the adapter dtype."""
    trainable = lora_params(model, spec.lora_rank, spec.lora_targets)
    ad_b = 4.0 if lay.mixed else lay.pb
    frozen, consts, upcast = frozen_base_bytes(model, spec)
    weights = lay.shard(frozen + upcast, 3) + 0.0 * n
    quant = lay.shard(consts, 3) + 0.0 * n
    lora_w = lay.shard(trainable * ad_b, 3)
    lora_g = lay.shard(trainable * ad_b, 2)
    opt_b = optimizer_bytes_per_param(spec.optimizer, spec.training_precision, ad_b)
    lora_o_all = lay.shard(trainable * opt_b, 1)
    lora_o = lora_o_all * (0.0 if lay.offload else 1.0)
    paged = lora_o * (1.0 if _paged(spec) else 0.0)
    lora_o = lora_o - paged  # paged states: unified memory, outside the allocator (see _full_states)
    host_w = 0.0 * n
    if lay.offload_params:
        # FSDP CPUOffload(offload_params=True) and ZeRO-3 offload_param move every parameter - the frozen
        # (possibly k-bit) base as well as the adapters and their gradients - to host RAM between uses
        host_w = weights + quant + lora_w + lora_g
        weights, quant, lora_w, lora_g = weights * 0.0, quant * 0.0, lora_w * 0.0, lora_g * 0.0
    terms = {
        "weights": weights,
        "quant_constants": quant,
        "lora_adapters": lora_w + lora_g + lora_o,
        "gradients": 0.0 * n,
        "optimizer_states": 0.0 * n,
        "paged_optimizer_states": paged + 0.0 * n,
        # moved off the GPU by offload (host RAM or NVMe): reported apart, never in the GPU figures
        "host_optimizer_states": lora_o_all * (1.0 if lay.offload else 0.0) + 0.0 * n,
        "host_weights": host_w,
    }
    step_b = step_temp_bytes_per_param(spec.optimizer, spec.training_precision, ad_b, lay.fused_step)
    step_tmp = lay.shard(trainable * step_b, 1)
    biggest = trainable / max(model.layers, 1) * ad_b
    return _States(terms, weights + quant + lora_w + lora_o, lora_g, step_tmp, biggest)


def _full_states(model: ModelArch, spec: EstimateSpec, lay: _Layout, n: Any) -> _States:
    """All weights trained: DeepSpeed layout (2+2+K) when sharded, AMP layout (4+4+8 + autocast copy) when
    mixed and not sharded, the compute dtype for everything when pure bf16."""
    p = total_params(model)
    w_b = 2.0 if (lay.mixed and lay.sharded) else (4.0 if lay.mixed else lay.pb)
    o_b = optimizer_bytes_per_param(spec.optimizer, spec.training_precision, lay.pb)
    if lay.mixed and not lay.sharded:
        o_b -= 4.0  # AMP: the fp32 weights are the master copy
    w = lay.shard(p * w_b, 3) + 0.0 * n
    g = lay.shard(p * w_b, 2) + 0.0 * n
    o = lay.shard(p * o_b, 1) + 0.0 * n
    host = {"host_optimizer_states": 0.0 * n, "host_gradients": 0.0 * n, "host_weights": 0.0 * n}
    if lay.offload:  # ZeRO-Offload / ZeRO-Infinity: what leaves the GPU is reported as host memory
        # FSDP's CPUOffload moves parameters and gradients whatever the strategy; DeepSpeed by stage
        moves_g = lay.stage >= 2 or lay.fsdp
        host = {
            "host_optimizer_states": o,
            "host_gradients": g * (1.0 if moves_g else 0.0),
            "host_weights": w * (1.0 if lay.offload_params else 0.0),
        }
        o = o * 0.0
        w = w * (0.0 if lay.offload_params else 1.0)
        g = g * (0.0 if moves_g else 1.0)
    terms = {
        "weights": w,
        "gradients": g,
        "optimizer_states": o,
        "quant_constants": 0.0 * n,
        "lora_adapters": 0.0 * n,
        **host,
    }
    if _paged(spec):
        # bitsandbytes paged states live in CUDA unified memory (cudaMallocManaged): outside the PyTorch
        # allocator's figures and evicted to CPU RAM under pressure, so they never cause an OOM.
        terms["paged_optimizer_states"] = o
        terms["optimizer_states"] = o = 0.0 * n
    static = w + o
    if lay.mixed and not lay.sharded:
        # autocast keeps a bf16 copy of every matmul weight during forward/backward (not at the step)
        terms["autocast_cache"] = linear_params(model) * 2.0 / lay.mp + 0.0 * n
    step_b = step_temp_bytes_per_param(spec.optimizer, spec.training_precision, w_b, lay.fused_step)
    largest_tensor = max(
        model.vocab * model.hidden,
        model.hidden * model.intermediate,
        model.hidden * model.heads * model.head_dim,
    )
    biggest = largest_tensor * w_b / lay.mp
    return _States(terms, static, g, lay.shard(p * step_b, 1), biggest)


def _gathered_layers(model: ModelArch, spec: EstimateSpec, lay: _Layout) -> Any:
    """ZeRO-3/FSDP: two layers gathered at a time (the computing one and the prefetched one); with
    parameters offloaded, the same two layers are copied in from host RAM even on one GPU. FSDP with
    pipeline stages keeps the whole stage gathered from its first forward to its last backward
    (torchtitan sets ``reshard_after_forward=False`` under pipelining to avoid a gather per micro-batch)."""
    if lay.stage < 3 and not lay.offload_params:
        return 0.0 * lay.dp
    layer_b = lay.pb
    if lay.peft and spec.effective_quant_bits < 16:
        scheme = spec.effective_quant_scheme
        layer_b = QUANT_VALUE_BYTES[scheme] + QUANT_CONST_BYTES[scheme]  # gathered in packed k-bit form
    active = np.where(lay.shard_dp > 1, 1.0, 1.0 if lay.offload_params else 0.0)
    if lay.fsdp and lay.pp > 1 and not lay.offload_params:
        # the all-gathered copy, apart from the resident shard, and - as the pipeline schedule turns
        # gradient sync off until the last micro-batch - the stage's unsharded gradients (trainable only)
        stage_b = linear_params(model) * layer_b / lay.mp
        grads = 0.0 if lay.peft else stage_b
        return (stage_b + grads) * active
    return 2.0 * layer_params(model) * layer_b / lay.mp * active


def _in_flight(spec: EstimateSpec, lay: _Layout) -> float:
    """Micro-batches whose activations the first pipeline stage holds at its peak, in units of one
    micro-batch through the stage's layers: GPipe all m micro-batches; 1F1B min(pp, m); interleaved 1F1B
    with v model chunks per GPU min(m, pp x (1 + (pp - 1) / (pp x v))) (Korthikanti et al. 2022, §4.2.3;
    the warm-up cannot hold more than the m micro-batches of the step)."""
    if lay.pp <= 1:
        return 1.0
    m = spec.grad_accumulation
    if spec.pipeline_schedule == "gpipe":
        return float(m)
    warmup = float(lay.pp)
    if spec.pipeline_schedule == "interleaved":
        warmup *= 1.0 + (lay.pp - 1) / (lay.pp * spec.effective_virtual_stages)
    return min(warmup, float(m))  # never more than the micro-batches of the step


def _activation_bytes(
    model: ModelArch, spec: EstimateSpec, lay: _Layout, tokens: Any, s: Any
) -> tuple[Any, Any]:
    """Activation bytes for ``tokens`` tokens (per GPU, after context parallelism) as (stored, recomputed).

    stored: kept from the forward pass until backward reaches them - every layer's tensors without
    checkpointing; with full checkpointing one input per layer (offloaded inputs leave the GPU); with
    selective checkpointing what the policy saves; plus the embedding output and the final norm.
    recomputed: with checkpointing, one layer's tensors rebuilt during backward (0 without checkpointing,
    where they are part of ``stored``). They exist only inside the backward pass of that layer, i.e. after
    the loss and its logits have been freed - see :func:`_training_terms`.
    """
    seq_split = lay.tp if lay.sp else 1  # sequence parallelism splits norms and layer inputs over TP
    flash_layer: Any = layer_activation_bytes_per_token(model, lay.act_b, lay.tp, lay.sp)
    scores: Any = 0.0
    if not spec.flash_attention:
        scores = eager_score_bytes_per_token(model, s, lay.act_b, lay.tp)
    kbit = 0.0
    if lay.peft and spec.effective_quant_bits < 16:
        # bitsandbytes' k-bit matmul is a custom autograd Function that saves its input although the weight
        # is frozen: the two norm outputs (2h) and, for a gated MLP, the down-projection input (I) are kept
        # on top of what a frozen bf16 nn.Linear keeps.
        kbit = (2 * model.hidden + (model.intermediate if model.mlp == "gated" else 0)) * lay.act_b / lay.tp
    per_layer = flash_layer + scores + kbit
    stored_layers = model.layers / lay.pp * _in_flight(spec, lay)
    ends = tokens * 4.0 * model.hidden * lay.act_b / seq_split  # embedding output + final norm in/out
    if spec.grad_checkpointing and spec.checkpoint_policy == "selective":
        # Megatron-LM selective recomputation: only the attention core (scores, softmax) is recomputed
        return tokens * (flash_layer + kbit) * stored_layers + ends, tokens * scores
    if spec.grad_checkpointing and spec.checkpoint_policy == "op":
        saved = op_policy_saved_bytes_per_token(model, lay.act_b, lay.tp)
        if spec.compile:
            saved *= COMPILED_OP_POLICY_SAVED
        return tokens * saved * stored_layers + ends, tokens * np.maximum(per_layer - saved, 0.0)
    if spec.grad_checkpointing:
        inputs = tokens * model.hidden * lay.act_b / seq_split * stored_layers
        stored = inputs * (0.0 if spec.activation_offload else 1.0) + ends
        return stored, tokens * per_layer
    if spec.activation_offload:
        return 2.0 * tokens * per_layer + ends, 0.0 * tokens
    return tokens * per_layer * stored_layers + ends, 0.0 * tokens


def _training_terms(model: ModelArch, spec: EstimateSpec, s: Any, b: Any, n: Any) -> dict[str, Any]:
    lay = _layout(spec, n)
    st = (_peft_states if lay.peft else _full_states)(model, spec, lay, n)
    terms = st.terms
    ref = _extra_model_bytes(model, spec, lay.pb)
    terms["reference_models"] = lay.shard(ref["frozen"], 3) + 0.0 * n
    terms["critic_states"] = lay.shard(ref["critic"], 1) + 0.0 * n
    terms["gathered_layers"] = _gathered_layers(model, spec, lay)
    static = st.static + terms["reference_models"] + terms["critic_states"] + terms["gathered_layers"]
    if lay.peft and spec.effective_quant_bits < 16:
        # dequantised bf16 copies of the largest weight in forward and backward
        terms["quant_workspace"] = 2.0 * model.hidden * model.intermediate * lay.act_b / lay.tp + 0.0 * n
        static = static + terms["quant_workspace"]

    # DPO: chosen + rejected; context parallelism gives each GPU 1/cp of every sequence
    tokens = b * s * (2.0 if spec.method == "dpo" else 1.0) / lay.cp
    stored, recomputed = _activation_bytes(model, spec, lay, tokens, s)
    logits = logits_bytes(model, tokens, spec.loss_impl, lay.act_b, lay.tp)
    terms["activations"] = stored + recomputed
    terms["logits"] = logits
    # Activation + loss working set. Without checkpointing every layer's tensors are alive when the logits
    # are made: a plain sum. With checkpointing on one device (or ZeRO 0-2), the loss (logits, their fp32
    # upcast and gradient) is computed and freed before backward recomputes the last layer, so the two never
    # coexist: stored inputs + max(logits, one recomputed layer). Measured: fms-acceleration single-GPU
    # LoRA/QLoRA/GPTQ rows grow by 671 KB per token of micro-batch for Mistral-7B; the sum predicts 848, the
    # max 679. With parameters sharded (ZeRO-3 / FSDP FULL_SHARD over >1 rank) the measured peaks carry one
    # recomputed layer on top of the logits (fms-acceleration 2-GPU FSDP rows, PEFT's ZeRO-3 rows), so the
    # sum is kept there; see docs/MEMORY_MODEL.md "Loss and recomputation".
    # FSDP's hooks do the same whatever its strategy (NO_SHARD included: fsdp_qlora's "DDP via FSDP" rows)
    sharded_params = (lay.dp > 1) & ((lay.stage >= 3) | lay.fsdp)
    acts = stored + np.where(sharded_params, logits + recomputed, np.maximum(logits, recomputed))
    autocast = terms.get("autocast_cache", 0.0)

    # Peaks: the step runs after activations are freed, so peak = max(fwd/bwd, step), not a sum.
    grads_live = st.biggest_grad + 0.0 * n if spec.optimizer_in_backward else st.grads
    # with offload the optimizer step runs on the CPU: no step buffers on the GPU
    step_live = 0.0 * n if (spec.optimizer_in_backward or lay.offload) else st.step_tmp + 0.0 * n
    if spec.optimizer_in_backward and not lay.peft:
        terms["gradients"] = grads_live  # only the tensor being stepped is alive
    if spec.grad_accumulation > 1 and not spec.optimizer_in_backward:
        fwd_bwd = static + autocast + grads_live + acts  # accumulated grads live through forward
    else:
        fwd_bwd = static + autocast + np.maximum(acts, grads_live)  # grads grow as activations free
    if spec.method == "ppo":
        # rollout phase: the actor generates with a KV cache, no activations stored
        terms["kv_cache"] = kv_cache_bytes(model, b, s, DTYPE_BYTES[spec.kv_cache_precision], lay.tp)
        fwd_bwd = np.maximum(fwd_bwd, static + terms["kv_cache"])
    step = static + grads_live + step_live
    terms["step_buffers"] = step_live
    return _finish(terms, fwd_bwd, step, spec)


def _extra_model_bytes(model: ModelArch, spec: EstimateSpec, pb: float) -> dict[str, float]:
    """Frozen copies (reference, reward) and a trainable critic's states for DPO/PPO, bytes (unsharded)."""
    frozen, critic = 0.0, 0.0
    peft = _is_peft(spec)
    p = total_params(model)
    if spec.method == "dpo" and not peft:
        frozen = p * pb  # reference policy (with LoRA the reference is the base with adapters disabled)
    if spec.method == "ppo":
        frozen = p * pb  # reward model
        if not peft:
            frozen += p * pb  # reference policy
            o_b = optimizer_bytes_per_param(spec.optimizer, spec.training_precision, pb)
            w_b = 2.0 if spec.training_precision == "mixed" else pb
            critic = p * (w_b + w_b + o_b)  # critic of the policy's size, trained like it
        else:
            critic = lora_params(model, spec.lora_rank, spec.lora_targets) * (4.0 + 4.0 + 8.0)
    return {"frozen": frozen, "critic": critic}


# --------------------------------------------------------------------------------------------------
# Seed checks and fit helpers
# --------------------------------------------------------------------------------------------------


def rlhf_weights_gpus(
    model: ModelArch, gpu_memory_gb: float, n_models: int = 4, weight_bytes: float = 2.0
) -> int:
    """GPUs needed just to hold the weights of ``n_models`` policy-sized models (actor, critic, reward,
    reference) in bf16, leaving the CUDA context and 10% allocator headroom per GPU (count)."""
    usable = (gpu_memory_gb - CUDA_CONTEXT_GB) / (1.0 + FRAGMENTATION)
    need = n_models * total_params(model) * weight_bytes / GB
    return int(math.ceil(need / usable))


def fits_matrix(
    device_gb: ArrayLike, gpu_memory_gb: ArrayLike, headroom: float = 0.05
) -> npt.NDArray[np.bool_]:
    """Broadcast device figures (any shape) against GPU memories (last axis) -> bool, with a headroom fraction."""
    dev = np.asarray(device_gb, dtype=np.float64)[..., None]
    mem = np.asarray(gpu_memory_gb, dtype=np.float64)
    return np.asarray(dev <= mem * (1.0 - headroom))
