"""Inference as it is served: KV-cache pool, concurrency, prefill and decode time, requests per second.

Units: bytes and seconds inside, GB (10^9 bytes), seconds and GPU-hours in results. One *replica* is the
``n_gpus`` GPUs that serve one copy of the model (tensor parallel); a workload of N requests/s needs
ceil(N / replica rate) replicas. Formulas (docs/MEMORY_MODEL.md, "Serving"):

* KV cache per token = 2 (K, V) x layers x kv_heads x head_dim x bytes; a paged cache (vLLM, TensorRT-LLM)
  allocates whole blocks, so a sequence of c tokens holds ceil(c / block) x block tokens;
* the pool a serving engine sizes (vLLM ``gpu_memory_utilization``): utilisation x GPU memory - weights -
  the activation peak of a profile pass of ``max_batched_tokens`` tokens - memory outside PyTorch;
  concurrency = min(``micro_batch`` (max_num_seqs), pool / KV of one full-length sequence);
* prefill is compute-bound: (2 x active params + attention over the prompt) FLOPs per prompt token;
* decode is bandwidth-bound: each step reads all weights and the KV cache of every running sequence, or is
  compute-bound at large batches - the slower of the two;
* over the life of one batch of B requests the engine both streams G decode steps and computes B x (P + G)
  tokens: the time is the larger of the memory time and the compute time (continuous batching with chunked
  prefill overlaps the two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.catalog import Gpu, ModelArch
from planner.engine.memory import (
    DTYPE_BYTES,
    GB,
    active_params,
    frozen_base_bytes,
    layer_activation_bytes_per_token,
)

if TYPE_CHECKING:
    from planner.engine.estimate import EstimateSpec

# The four constants below were fitted (grid search, median + worst/4 of |error|) on the 42 tuning rows of
# tests/data/serving_measurements.json (TensorRT-LLM's published throughputs); the 18 held-out rows were
# never used. See docs/MEMORY_MODEL.md "Serving".
DECODE_BW_EFFICIENCY = 0.75
"""Fraction of HBM bandwidth a decode step achieves reading weights and KV cache."""

PREFILL_MFU = 0.55
"""Fraction of dense peak a compute-bound pass (prefill, large decode batches) achieves."""

NON_TORCH_GB = 0.3
"""Memory a serving engine counts outside PyTorch's allocator (NCCL, cuBLAS workspaces): vLLM's startup
log reports 0.08-0.35 GiB ("non_torch_memory takes ...")."""

ROOFLINE_EXPONENT = 1.25
"""Overlap of memory and compute time in one step (smooth maximum exponent; infinity = perfect overlap)."""

TP_LINK_EFFICIENCY = 0.3
"""Fraction of the catalog GPU-to-GPU bandwidth the per-layer all-reduces of decoding achieve (messages of a
few MB are latency-bound: NCCL reaches a fraction of its large-message bus bandwidth)."""

HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class ServingEstimate:
    """One replica serving requests of ``prompt_tokens`` + ``generated_tokens`` tokens."""

    gpus_per_replica: int
    concurrency: int  # sequences decoded together
    kv_pool_gb_per_gpu: float | None  # with gpu_memory_utilization: the pool the engine sizes
    max_concurrency: float | None  # full-length sequences the pool holds
    ttft_s: float  # time to first token of one request (its prefill), no queueing
    tpot_s: float  # time per output token at the concurrency above
    requests_per_s: float  # per replica, at the concurrency above
    output_tokens_per_s_per_gpu: float
    gpu_seconds_per_request: float
    replicas_needed: int | None  # for spec.requests_per_s
    gpus_needed: int | None
    gpu_hours_per_month: float | None  # gpus_needed x 730 h, the capacity the TCO engine prices
    bound: str  # "memory bandwidth" or "compute"


def weight_bytes(model: ModelArch, spec: EstimateSpec) -> float:
    """Bytes of the served weights and their quantisation constants (whole replica)."""
    weights, consts, _ = frozen_base_bytes(model, spec)
    return weights + consts


def kv_bytes_per_token(model: ModelArch, spec: EstimateSpec) -> float:
    """KV-cache bytes of one token over all layers (whole replica)."""
    return 2.0 * model.layers * model.kv_heads * model.head_dim * DTYPE_BYTES[spec.kv_cache_precision]


def paged_tokens(context: float, block: int | None) -> float:
    """Tokens a sequence of ``context`` tokens occupies: whole blocks with a paged cache."""
    if not block:
        return context
    return math.ceil(context / block) * block


def request_tokens(spec: EstimateSpec) -> tuple[int, int, float, int]:
    """(prompt, generated, mean decode context, full context) tokens of one request. Without prompt_len the
    workload is plain generation of sequences growing to seq_len tokens (mean context seq_len / 2, no
    prefill counted; the memory figures still hold the full seq_len)."""
    if spec.prompt_len is None:
        return 0, 1, spec.seq_len / 2.0, spec.seq_len
    gen = max(spec.gen_len or 1, 1)
    return spec.prompt_len, gen, spec.prompt_len + gen / 2.0, spec.prompt_len + gen


def profile_activation_bytes(model: ModelArch, spec: EstimateSpec) -> float:
    """Activation peak of a serving engine's profile pass (per GPU): one layer's tensors for
    ``max_batched_tokens`` tokens, and fp32 logits of the last token of ``micro_batch`` sequences."""
    tp = max(spec.n_gpus, 1)
    act_b = 4.0 if spec.precision == "fp32" else 2.0
    layer = spec.max_batched_tokens * layer_activation_bytes_per_token(model, act_b, tp, True)
    return layer + spec.micro_batch * model.vocab * 4.0 / tp


def kv_pool_bytes_per_gpu(model: ModelArch, spec: EstimateSpec, gpu: Gpu) -> float | None:
    """The KV pool a serving engine sizes on each GPU (bytes), or None without gpu_memory_utilization."""
    if spec.gpu_memory_utilization is None:
        return None
    tp = max(spec.n_gpus, 1)
    budget = spec.gpu_memory_utilization * gpu.memory_gb * GB
    pool = budget - weight_bytes(model, spec) / tp - profile_activation_bytes(model, spec) - NON_TORCH_GB * GB
    return max(pool, 0.0)


def _peak_flops(gpu: Gpu, spec: EstimateSpec) -> float:
    if spec.precision == "fp8" and gpu.fp8_dense_tflops:
        return gpu.fp8_dense_tflops * 1e12
    return gpu.bf16_dense_tflops * 1e12 * (0.5 if spec.precision == "fp32" else 1.0)


def _flops_per_token(model: ModelArch, context: float) -> float:
    """Forward FLOPs of one token attending to ``context`` earlier tokens."""
    return 2.0 * active_params(model) + 4.0 * model.layers * context * model.heads * model.head_dim


def _roofline(memory_s: float, compute_s: float) -> float:
    """Time of work that both streams memory and computes: between max (perfect overlap) and the sum,
    as the smooth maximum (m^k + c^k)^(1/k) with k = ROOFLINE_EXPONENT."""
    k = ROOFLINE_EXPONENT
    top = max(memory_s, compute_s)
    if top <= 0.0:
        return 0.0
    return float(top * ((memory_s / top) ** k + (compute_s / top) ** k) ** (1.0 / k))


def serving_estimate(model: ModelArch, spec: EstimateSpec, gpu: Gpu) -> ServingEstimate:
    """Concurrency, latency and throughput of one replica of ``spec.n_gpus`` x ``gpu`` (tensor parallel)."""
    tp = max(spec.n_gpus, 1)
    prompt, gen, mean_ctx, full_ctx = request_tokens(spec)
    block = spec.kv_block_size or (16 if spec.gpu_memory_utilization is not None else None)
    kv_tok = kv_bytes_per_token(model, spec)
    per_seq = kv_tok * paged_tokens(full_ctx, block)
    pool = kv_pool_bytes_per_gpu(model, spec, gpu)
    concurrency = float(spec.micro_batch)
    max_conc = None
    if pool is not None:
        max_conc = pool * tp / per_seq
        concurrency = max(min(concurrency, math.floor(max_conc)), 1.0)
    peak = _peak_flops(gpu, spec) * tp * PREFILL_MFU
    bandwidth = gpu.memory_bandwidth_gbs * 1e9 * tp * DECODE_BW_EFFICIENCY
    weights = weight_bytes(model, spec)

    # tensor parallelism: two all-reduces of the hidden state per layer per token (after attention and
    # after the MLP), ring 2(tp-1)/tp of the bytes over NVLink, not overlapped with the layer that needs them
    tp_s_per_token = 0.0
    if tp > 1:
        ring = 2.0 * (tp - 1) / tp
        tp_bytes = 2.0 * model.layers * model.hidden * 2.0 * ring
        tp_s_per_token = tp_bytes / (max(gpu.interconnect_gbs, 1.0) * 1e9 * TP_LINK_EFFICIENCY)
    # one prompt: causal attention over half the prompt on average
    prefill_s = prompt * (_flops_per_token(model, prompt / 2.0) / peak + tp_s_per_token)
    step_mem = (weights + concurrency * kv_tok * mean_ctx) / bandwidth
    step_compute = concurrency * _flops_per_token(model, mean_ctx) / peak
    step_comm = concurrency * tp_s_per_token
    tpot = _roofline(step_mem, step_compute) + step_comm
    # a batch of B requests: G decode steps streaming weights + KV, and B x (P + G) tokens of compute
    mem_time = gen * step_mem
    compute_time = concurrency * (prefill_s + gen * _flops_per_token(model, mean_ctx) / peak)
    comm_time = concurrency * gen * tp_s_per_token  # the prompts' share is inside prefill_s
    cycle = _roofline(mem_time, compute_time) + comm_time
    rps = concurrency / cycle
    out_tps_gpu = rps * gen / tp
    replicas = gpus = None
    month = None
    if spec.requests_per_s is not None:
        replicas = max(math.ceil(spec.requests_per_s / rps - 1e-9), 1)
        gpus = replicas * tp
        month = gpus * HOURS_PER_MONTH
    return ServingEstimate(
        gpus_per_replica=tp,
        concurrency=int(concurrency),
        kv_pool_gb_per_gpu=None if pool is None else pool / GB,
        max_concurrency=max_conc,
        ttft_s=prefill_s,
        tpot_s=tpot,
        requests_per_s=rps,
        output_tokens_per_s_per_gpu=out_tps_gpu,
        gpu_seconds_per_request=tp / rps,
        replicas_needed=replicas,
        gpus_needed=gpus,
        gpu_hours_per_month=month,
        bound="compute" if compute_time > mem_time else "memory bandwidth",
    )
