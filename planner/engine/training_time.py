"""Training (and serving) time: FLOPs over achieved throughput plus a communication term.

Units: FLOPs, seconds inside; hours in results. Formulas (docs/MEMORY_MODEL.md, "Time"):

* forward = 2 x active parameters FLOPs per token + causal attention 2 x layers x seq x heads x head_dim;
* full training = forward + backward (2x forward: activation and weight gradients) = 6N per token;
* LoRA/QLoRA: frozen weights need no weight gradient, so backward is ~1x forward -> 4N (adapters negligible);
* gradient checkpointing recomputes the forward: +2N (= +33% for full training, +50% for LoRA);
* DPO adds a reference forward (2N) on the same tokens; PPO: actor and critic training, reference,
  reward and critic forwards, and a memory-bound generation phase;
* throughput = dense peak x MFU (defaults per GPU family and method, user override);
* communication per optimizer step over the slowest link (NVLink inside a node, the network between
  nodes), overlapped with the backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.catalog import Gpu, ModelArch
from planner.engine.memory import active_params, frozen_base_bytes, total_params
from planner.engine.serving import serving_estimate

if TYPE_CHECKING:
    from planner.engine.estimate import EstimateSpec

# Per-node bandwidth (GB/s) and the fraction NCCL achieves (“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §2.3: ~92% on IB; TCP Ethernet less).
NETWORKS: dict[str, tuple[float, float]] = {
    "ib_ndr": (8 * 50.0, 0.92),  # 8 x 400 Gb/s NICs per node
    "ib_hdr": (8 * 25.0, 0.92),  # 8 x 200 Gb/s
    "roce_400": (8 * 50.0, 0.85),
    "roce_100": (8 * 11.0, 1.0),  # seed: NCCL reaches 11 GB/s per RoCE 100 GbE adapter
    "eth_100": (12.5, 0.7),  # one 100 GbE port per node, TCP sockets
    "eth_40": (5.0, 0.7),
    "eth_25": (3.125, 0.7),
}
NOT_VIABLE_NETWORKS = ("eth_25", "eth_40")

BACKWARD_OVERLAP = 2.0 / 3.0
"""Fraction of a step's compute during which gradient communication can overlap (the backward pass)."""

COMPILE_SPEEDUP = 6667.0 / 5762.0
"""Training throughput with torch.compile of each block over eager (x1.157): torchtitan's Llama 3.1 8B FSDP on
8 H100s, op checkpointing (benchmarks/llama3_h100_202412_torchtitan.md, Table 1). Table 3's 128-GPU rows
(x1.162) are held out."""

FLOAT8_SPEEDUP = 8532.0 / 6667.0
"""Training throughput with Float8 linear layers over compiled bf16 (x1.280), same source and run as
:data:`COMPILE_SPEEDUP` (Table 3 held out: x1.286). Only on accelerators with FP8 tensor cores; torchao's
Float8 needs compile to fuse its casts, so without compile it is not counted."""

GENERATION_BW_EFFICIENCY = 0.6
"""Fraction of HBM bandwidth a decode step achieves when reading the weights (memory-bound generation)."""


def default_mfu(gpu: Gpu, method: str) -> float:
    """Achieved fraction of dense peak (hardware FLOPs, recomputation counted) by GPU family.

    Calibrated on the tuning rows of tests/data/time_measurements.json (docs/MEMORY_MODEL.md, "Time"):
    A100 0.59 (torchtitan FSDP2 pretraining on 64 A100s, median of 4 rows), GeForce/consumer cards 0.58
    (fsdp_qlora LoRA and QLoRA on 2 x RTX 4090, median of 8 rows). Without measurements: Hopper/Blackwell
    0.40 (torchtitan's H100s at 500 W reach 0.37 of the 700-W peak), AMD Instinct 0.30, other PCIe cards 0.35.
    The method does not change it: LoRA and QLoRA ran at the same utilisation as each other (0.58 and 0.60)
    and as full training on the A100s, so the former blanket factors (x0.8 LoRA, x0.5 QLoRA) are gone; their
    smaller FLOP count (no weight gradients) is in :func:`training_flops_per_token`. ``mfu`` overrides.
    """
    name = gpu.name.upper()
    if "A100" in name or "A800" in name:
        return 0.59
    if any(k in name for k in ("H100", "H200", "H800", "H20", "B200", "B100", "GB200", "GH200", "B300")):
        return 0.40
    if gpu.vendor.lower().startswith("amd") or "MI" in name:
        return 0.30
    if gpu.form_factor.lower() == "consumer":
        return 0.58
    return 0.35


def forward_flops_per_token(model: ModelArch, seq_len: float) -> float:
    """Forward FLOPs per token: 2 x active parameters + causal attention scores and mixing."""
    attention = 2.0 * model.layers * seq_len * model.heads * model.head_dim
    return 2.0 * active_params(model) + attention


def recompute_flops_per_token(model: ModelArch, spec: EstimateSpec) -> float:
    """FLOPs per token that activation checkpointing recomputes: full - one whole forward; ``op`` (PyTorch's
    selective policy as torchtitan sets it) - every second matmul, i.e. half the weight FLOPs, attention
    saved; ``selective`` (Megatron-LM) - the attention core only."""
    attention = 2.0 * model.layers * spec.seq_len * model.heads * model.head_dim
    if spec.checkpoint_policy == "op":
        return active_params(model)
    if spec.checkpoint_policy == "selective":
        return attention
    return forward_flops_per_token(model, spec.seq_len)


def training_flops_per_token(model: ModelArch, spec: EstimateSpec) -> tuple[float, float]:
    """(FLOPs per training token on the accelerator at full efficiency, generation FLOPs per token).

    full/pretrain: 3 x forward (6N); LoRA/QLoRA: 2 x forward (4N); checkpointing adds what the policy
    recomputes (:func:`recompute_flops_per_token`);
    DPO: + reference forward; PPO: actor and critic train, reference/reward/critic forwards; the
    generation share (half of the sequence is response) is returned separately.
    """
    fwd = forward_flops_per_token(model, spec.seq_len)
    peft = spec.method in ("lora", "qlora") or (spec.method in ("dpo", "ppo") and spec.peft)
    train = (2.0 if peft else 3.0) * fwd
    if spec.grad_checkpointing:
        train += recompute_flops_per_token(model, spec)
    if spec.method == "dpo":
        return train + fwd, 0.0
    if spec.method == "ppo":
        return 2.0 * train + 3.0 * fwd, 0.5 * fwd
    return train, 0.0


@dataclass(frozen=True)
class TimeEstimate:
    """GPU-hours and wall-clock hours of a run, with the parts that made them."""

    gpu_hours: float
    wall_hours: float
    compute_hours: float  # wall hours of pure compute
    comm_hours: float  # exposed (non-overlapped) communication, wall hours
    generation_hours: float  # PPO rollout generation, wall hours
    mfu: float
    flops: float


def training_speedup(spec: EstimateSpec, gpu: Gpu) -> float:
    """Throughput factor of torch.compile and Float8 linear layers over eager bf16 training (measured, see
    :data:`COMPILE_SPEEDUP` and :data:`FLOAT8_SPEEDUP`); 1 for options that do not apply."""
    factor = COMPILE_SPEEDUP if spec.compile else 1.0
    if spec.float8 and spec.compile and gpu.fp8_dense_tflops and spec.precision != "fp8":
        factor *= FLOAT8_SPEEDUP
    return factor


def dp_comm_bytes_per_step(model: ModelArch, spec: EstimateSpec, trainable: float, dp: int) -> float:
    """Bytes each GPU sends per optimizer step for data parallelism: ring all-reduce of the trainable
    gradients 2(N-1)/N x grad bytes once per step; ZeRO-3/FSDP two all-gathers of the weights as stored
    (forward and backward: bf16, or packed k-bit for QLoRA) and one reduce-scatter of the trainable
    gradients, (N-1)/N each, for every micro-batch, since the gathered weights are freed between them."""
    if dp <= 1:
        return 0.0
    ring = (dp - 1) / dp
    mp = spec.tensor_parallel * spec.pipeline_parallel
    if spec.effective_zero_stage >= 3:
        weights, consts, _ = frozen_base_bytes(model, spec)
        if spec.method not in ("lora", "qlora") and not spec.peft:
            weights, consts = total_params(model) * 2.0, 0.0
        per_micro = ring * (2.0 * (weights + consts) + trainable * 2.0) / mp
        return per_micro * spec.grad_accumulation
    return 2.0 * ring * trainable * 2.0 / mp


def link_bandwidth_gbs(gpu: Gpu, spec: EstimateSpec) -> float:
    """Per-GPU bandwidth (GB/s) of the slowest link a data-parallel collective crosses."""
    if spec.n_gpus <= spec.gpus_per_node:
        return max(gpu.interconnect_gbs, 1.0) * 0.8
    per_node, eff = NETWORKS[spec.network]
    return per_node * eff / spec.gpus_per_node


def estimate_time(model: ModelArch, spec: EstimateSpec, gpu: Gpu, trainable: float) -> TimeEstimate | None:
    """Time for ``spec.tokens`` training tokens (or generated tokens for inference) on ``spec.n_gpus`` x ``gpu``.

    Returns None when ``spec.tokens`` is not given.
    """
    if spec.tokens is None:
        return None
    n = spec.n_gpus
    peak = (
        gpu.fp8_dense_tflops if spec.precision == "fp8" and gpu.fp8_dense_tflops else gpu.bf16_dense_tflops
    ) * 1e12
    if spec.precision == "fp32":
        peak *= 0.5  # TF32 tensor cores
    if spec.method == "inference":
        return _inference_time(model, spec, gpu, peak)
    mfu = spec.mfu if spec.mfu is not None else default_mfu(gpu, spec.method)
    per_tok, gen_per_tok = training_flops_per_token(model, spec)
    flops = per_tok * spec.tokens
    compute_wall = flops / (peak * mfu * n * training_speedup(spec, gpu))
    # pipeline bubble (1F1B): (pp-1)/(m+pp-1) of the time idle
    # (interleaved with v chunks per GPU: (pp-1)/v idle micro-batch slots)
    if spec.pipeline_parallel > 1:
        m = spec.grad_accumulation
        idle = (spec.pipeline_parallel - 1) / spec.effective_virtual_stages
        compute_wall *= (m + idle) / m
    dp = max(n // (spec.tensor_parallel * spec.pipeline_parallel), 1)
    # context-parallel ranks share one sequence: distinct sequences per step = dp / cp
    tokens_per_step = spec.micro_batch * spec.seq_len * spec.grad_accumulation * dp / spec.context_parallel
    steps = spec.tokens / tokens_per_step
    step_compute = compute_wall / steps
    comm = dp_comm_bytes_per_step(model, spec, trainable, dp) / (link_bandwidth_gbs(gpu, spec) * 1e9)
    if spec.tensor_parallel > 1:
        # 4 all-reduces of the layer activations per layer per micro-batch (2 forward, 2 backward)
        tp = spec.tensor_parallel
        act = 4.0 * model.layers * spec.micro_batch * spec.seq_len * model.hidden * 2.0
        comm += spec.grad_accumulation * act * 2.0 * (tp - 1) / tp / (max(gpu.interconnect_gbs, 1.0) * 0.8e9)
    exposed = max(0.0, comm - BACKWARD_OVERLAP * step_compute) * steps
    gen_wall = 0.0
    if gen_per_tok:
        gen_wall = _decode_seconds(model, spec, gpu, peak, spec.tokens * 0.5) / n
    wall = compute_wall + exposed + gen_wall
    return TimeEstimate(
        gpu_hours=wall * n / 3600.0,
        wall_hours=wall / 3600.0,
        compute_hours=compute_wall / 3600.0,
        comm_hours=exposed / 3600.0,
        generation_hours=gen_wall / 3600.0,
        mfu=mfu,
        flops=flops + gen_per_tok * spec.tokens,
    )


def _decode_seconds(model: ModelArch, spec: EstimateSpec, gpu: Gpu, peak: float, tokens: float) -> float:
    """Seconds to generate ``tokens`` tokens in batches of ``micro_batch`` on one GPU: each decode step reads
    all weights once (memory-bound) or is compute-bound, whichever is slower."""
    weight_bytes = total_params(model) * (1.0 if spec.precision == "fp8" else 2.0)
    if spec.effective_quant_bits < 16:
        weight_bytes = total_params(model) * spec.effective_quant_bits / 8.0
    t_mem = weight_bytes / (gpu.memory_bandwidth_gbs * 1e9 * GENERATION_BW_EFFICIENCY)
    t_compute = 2.0 * active_params(model) * spec.micro_batch / (peak * 0.5)
    steps = tokens / spec.micro_batch
    return float(np.maximum(t_mem, t_compute) * steps)


def _inference_time(model: ModelArch, spec: EstimateSpec, gpu: Gpu, peak: float) -> TimeEstimate:
    """Time to generate ``spec.tokens`` tokens at the replica's serving throughput (prefill and decode with
    the KV-cache reads, planner.engine.serving)."""

    assert spec.tokens is not None
    n = spec.n_gpus
    sv = serving_estimate(model, spec, gpu)
    seconds = spec.tokens / (sv.output_tokens_per_s_per_gpu * n)
    return TimeEstimate(
        gpu_hours=seconds * n / 3600.0,
        wall_hours=seconds / 3600.0,
        compute_hours=seconds / 3600.0,
        comm_hours=0.0,
        generation_hours=seconds / 3600.0,
        mfu=0.0,
        flops=2.0 * active_params(model) * spec.tokens,
    )
