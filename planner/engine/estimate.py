"""The public entry of the memory and time engine: parse a SPEC, estimate, fit against GPUs.

``parse_spec(dict) -> EstimateSpec`` validates every field (unknown keys and impossible values raise
:class:`SpecError` naming the field); ``estimate(spec, model, gpus) -> EstimateResult`` returns the
per-GPU memory breakdown in GB, the fit on each GPU (minimum count, margin, what would make it fit),
GPU-hours and wall-clock hours. Units: GB = 10^9 bytes, hours.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from planner.catalog import Gpu, ModelArch, ServerPlatform
from planner.engine.memory import GB, lora_params, memory_breakdown, total_params
from planner.engine.serving import HOURS_PER_MONTH, ServingEstimate, serving_estimate
from planner.engine.training_time import NETWORKS, NOT_VIABLE_NETWORKS, estimate_time

METHODS = ("pretrain", "full", "lora", "qlora", "dpo", "ppo", "inference")
PRECISIONS = ("fp32", "fp16", "bf16", "fp8")
TRAINING_PRECISIONS = ("pure_bf16", "mixed")
OPTIMIZERS = ("adamw", "adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "adafactor")
LOSS_IMPLS = ("standard", "chunked", "fused")
SHARDINGS = ("none", "fsdp", "deepspeed")
OFFLOADS = ("none", "cpu", "nvme")
QUANT_SCHEMES = ("nf4", "nf4_dq", "gptq", "awq", "int8")
FSDP_STRATEGIES = ("full_shard", "shard_grad_op", "no_shard", "hybrid_shard", "hybrid_shard_grad_op")
CHECKPOINT_POLICIES = ("full", "selective", "op")
PIPELINE_SCHEDULES = ("1f1b", "interleaved", "gpipe")
LORA_TARGETS = ("q", "k", "v", "o", "gate", "up", "down", "lm_head")
KV_PRECISIONS = ("fp32", "fp16", "bf16", "fp8", "int8")
MIN_GPU_CANDIDATES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
MAX_SEQ_LEN = 10_000_000  # tokens: the longest published context windows are 10M (Llama 4 Scout)
MAX_WHOLE_NUMBER = 2**53  # larger counts are not exact in float64 and not physical


class SpecError(ValueError):
    """A SPEC field is unknown or impossible; ``field`` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class EstimateSpec:
    """One workload to size. Defaults are documented in docs/MEMORY_MODEL.md ("SPEC fields").

    ``model`` is a :class:`ModelArch` or a catalog name resolved by the caller. For inference,
    ``micro_batch`` is the number of concurrent sequences and ``seq_len`` the context length.
    """

    model: ModelArch | str
    method: str = "full"
    precision: str = "bf16"
    quant_bits: int | None = None  # None -> 4 for qlora, else 16 (no quantisation)
    quant_scheme: str | None = None  # None -> nf4 for 4-bit, int8 for 8-bit
    optimizer: str = "adamw"
    micro_batch: int = 1
    seq_len: int = 2048
    grad_checkpointing: bool = False
    checkpoint_policy: str = (
        "full"  # full | selective (Megatron: attention core) | op (PyTorch SAC op policy)
    )
    flash_attention: bool = True
    compile: bool = False  # torch.compile of each transformer block (torchtitan's --training.compile)
    float8: bool = False  # Float8 linear layers (torchao Float8Linear, tensor-wise dynamic scaling)
    training_precision: str = "pure_bf16"
    loss_impl: str = "standard"
    optimizer_in_backward: bool = False
    zero_stage: int = 0
    sharding: str = "none"
    fsdp_strategy: str | None = None  # None -> full_shard (or the stage given by zero_stage)
    offload: str = "none"
    activation_offload: bool = False
    n_gpus: int = 1
    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    pipeline_schedule: str = "1f1b"
    virtual_stages: int | None = None  # model chunks per GPU for the interleaved schedule (None -> 2)
    context_parallel: int = 1
    sequence_parallel: bool = True  # with TP: norms, dropout and layer inputs split along the sequence
    grad_accumulation: int = 1
    lora_rank: int = 16
    lora_targets: tuple[str, ...] = ("q", "k", "v", "o")
    peft: bool = False  # DPO/PPO with LoRA adapters instead of full weights
    kbit_upcast: bool = True  # peft.prepare_model_for_kbit_training casts embeddings/head/norms to fp32
    kv_cache_precision: str = "bf16"
    prompt_len: int | None = None  # inference: prompt tokens per request (None: seq_len is the prompt)
    gen_len: int | None = None  # inference: generated tokens per request
    kv_block_size: int | None = None  # paged KV cache block (tokens); 16 with gpu_memory_utilization
    gpu_memory_utilization: float | None = None  # serving engine's memory budget (vLLM), fraction of the GPU
    max_batched_tokens: int = 8192  # tokens of the serving engine's profile pass / chunked-prefill budget
    requests_per_s: float | None = None  # serving load to size GPUs for
    tokens: float | None = None
    gpu: str | None = None
    mfu: float | None = None
    network: str = "ib_ndr"
    gpus_per_node: int = 8
    fragmentation: float = 0.10
    cuda_context_gb: float = 0.75
    headroom: float = 0.05  # fits when device figure <= memory x (1 - headroom)

    @property
    def effective_quant_bits(self) -> int:
        """Bits of the frozen base weights: 4 for QLoRA unless given, 16 (none) otherwise."""
        if self.quant_bits is not None:
            return self.quant_bits
        if self.quant_scheme is not None:  # a scheme names its width: int8 8-bit, the others 4-bit
            return 8 if self.quant_scheme == "int8" else 4
        return 4 if self.method == "qlora" else 16

    @property
    def effective_quant_scheme(self) -> str:
        if self.quant_scheme is not None:
            return self.quant_scheme
        return "int8" if self.effective_quant_bits == 8 else "nf4"

    @property
    def effective_zero_stage(self) -> int:
        """ZeRO stage in force: FSDP without an explicit stage or strategy means FULL_SHARD (stage 3);
        SHARD_GRAD_OP is stage 2, NO_SHARD stage 0, the hybrid strategies shard inside a node."""
        if self.sharding == "fsdp" and self.fsdp_strategy is not None:
            return {"no_shard": 0, "shard_grad_op": 2, "hybrid_shard_grad_op": 2}.get(self.fsdp_strategy, 3)
        if self.zero_stage == 0 and self.sharding == "fsdp":
            return 3
        return self.zero_stage

    @property
    def effective_virtual_stages(self) -> int:
        """Model chunks per GPU: 1 except for the interleaved schedule (2 unless given)."""
        if self.pipeline_schedule != "interleaved":
            return 1
        return self.virtual_stages if self.virtual_stages is not None else 2


_CHOICES: dict[str, tuple[Any, ...]] = {
    "method": METHODS,
    "precision": PRECISIONS,
    "training_precision": TRAINING_PRECISIONS,
    "optimizer": OPTIMIZERS,
    "loss_impl": LOSS_IMPLS,
    "sharding": SHARDINGS,
    "offload": OFFLOADS,
    "quant_scheme": QUANT_SCHEMES,
    "kv_cache_precision": KV_PRECISIONS,
    "fsdp_strategy": FSDP_STRATEGIES,
    "checkpoint_policy": CHECKPOINT_POLICIES,
    "pipeline_schedule": PIPELINE_SCHEDULES,
    "network": tuple(NETWORKS),
}
_BOOLS = (
    "grad_checkpointing",
    "flash_attention",
    "compile",
    "float8",
    "optimizer_in_backward",
    "activation_offload",
    "peft",
    "kbit_upcast",
    "sequence_parallel",
)
_POS_INTS: tuple[str, ...] = (
    "micro_batch",
    "seq_len",
    "n_gpus",
    "tensor_parallel",
    "pipeline_parallel",
    "grad_accumulation",
    "lora_rank",
    "gpus_per_node",
    "context_parallel",
    "virtual_stages",
    "prompt_len",
    "gen_len",
    "kv_block_size",
    "max_batched_tokens",
)
_MODEL_FIELDS = {
    "name": str,
    "params_b": float,
    "layers": int,
    "hidden": int,
    "heads": int,
    "kv_heads": int,
    "head_dim": int,
    "vocab": int,
    "intermediate": int,
    "mlp": str,
    "tied_embeddings": bool,
    "experts": int,
    "experts_per_token": int,
    "active_params_b": float,
}


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecError(key, f"must be true or false, got {value!r}")
    return value


def _pos_int(key: str, value: Any, high: int = MAX_WHOLE_NUMBER) -> int:
    """A positive whole number (an integral float such as 2.0 is accepted); inf/NaN/huge raise SpecError."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(key, f"must be a positive whole number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError(key, f"must be a positive whole number, got {value!r}")
    if value != int(value) or value < 1:
        raise SpecError(key, f"must be a positive whole number, got {value!r}")
    if value > high:
        raise SpecError(key, f"must be between 1 and {high:,}, got {_show(value)}")
    return int(value)


def _show(value: int | float) -> str:
    """A number for an error message; huge integers (JSON allows 400 digits) are abbreviated."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} digits)"


def _unknown(key: str, unknown: str, known: Sequence[str], what: str = "unknown field") -> SpecError:
    """SpecError for an unknown field, with difflib's close matches as a "did you mean" hint."""
    close = difflib.get_close_matches(unknown, list(known), n=3, cutoff=0.6)
    low = unknown.lower()
    close += [k for k in known if len(low) >= 3 and (low in k or k in low) and k not in close]
    close = close[:3]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return SpecError(key, f"{what}{hint}")


def _number(key: str, value: Any, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(key, f"must be a number, got {value!r}")
    if isinstance(value, int) and abs(value) > MAX_WHOLE_NUMBER**2:  # beyond any physical figure
        raise SpecError(key, f"must be between {low:g} and {high:g}, got {_show(value)}")
    if not math.isfinite(value):
        raise SpecError(key, f"must be a number, got {value!r}")
    if not low <= value <= high:
        raise SpecError(key, f"must be between {low:g} and {high:g}, got {_show(value)}")
    return float(value)


def parse_model(value: Any, key: str = "model") -> ModelArch | str:
    """A catalog name (str) or an inline architecture dict -> ModelArch; bad fields raise SpecError."""
    if isinstance(value, ModelArch):
        return value
    if isinstance(value, str):
        if not value.strip():
            raise SpecError(key, "must name a model or give its architecture")
        return value.strip()
    if not isinstance(value, Mapping):
        raise SpecError(key, "must be a model name or an object with its architecture")
    unknown = sorted(set(map(str, value)) - set(_MODEL_FIELDS))
    if unknown:
        raise _unknown(f"{key}.{unknown[0]}", unknown[0], list(_MODEL_FIELDS), "unknown architecture field")
    required = ("params_b", "layers", "hidden", "heads", "vocab", "intermediate")
    for req in required:
        if req not in value:
            raise SpecError(f"{key}.{req}", "is required for an inline architecture")
    kw: dict[str, Any] = {"name": str(value.get("name", "custom"))}
    kw["params_b"] = _number(f"{key}.params_b", value["params_b"], 1e-6, 1e5)
    if kw["params_b"] <= 0:
        raise SpecError(f"{key}.params_b", "must be positive")
    for k in ("layers", "hidden", "heads", "vocab", "intermediate"):
        kw[k] = _pos_int(f"{key}.{k}", value[k])
    kw["kv_heads"] = _pos_int(f"{key}.kv_heads", value.get("kv_heads", kw["heads"]))
    if kw["kv_heads"] > kw["heads"]:
        raise SpecError(f"{key}.kv_heads", f"cannot exceed heads ({kw['heads']}), got {kw['kv_heads']}")
    if kw["heads"] % kw["kv_heads"]:
        raise SpecError(f"{key}.kv_heads", "must divide heads")
    kw["head_dim"] = _pos_int(f"{key}.head_dim", value.get("head_dim", kw["hidden"] // kw["heads"] or 1))
    mlp = value.get("mlp", "gated")
    if mlp not in ("gated", "plain"):
        raise SpecError(f"{key}.mlp", f"must be gated or plain, got {mlp!r}")
    kw["mlp"] = mlp
    kw["tied_embeddings"] = _bool(f"{key}.tied_embeddings", value.get("tied_embeddings", False))
    kw["experts"] = _pos_int(f"{key}.experts", value.get("experts", 1))
    kw["experts_per_token"] = _pos_int(f"{key}.experts_per_token", value.get("experts_per_token", 1))
    if kw["experts_per_token"] > kw["experts"]:
        raise SpecError(f"{key}.experts_per_token", "cannot exceed experts")
    if value.get("active_params_b") is not None:
        kw["active_params_b"] = _number(
            f"{key}.active_params_b", value["active_params_b"], 1e-6, kw["params_b"]
        )
    return ModelArch(**kw)


_NULLABLE = (
    "tokens",
    "gpu",
    "mfu",
    "quant_bits",
    "quant_scheme",
    "fsdp_strategy",
    "virtual_stages",
    "prompt_len",
    "gen_len",
    "kv_block_size",
    "gpu_memory_utilization",
    "requests_per_s",
)
SERVING_FIELDS = ("prompt_len", "gen_len", "kv_block_size", "gpu_memory_utilization", "requests_per_s")


def parse_spec(d: Mapping[str, Any]) -> EstimateSpec:
    """Validate a SPEC dict (the CLI's JSON) into an :class:`EstimateSpec`.

    Raises SpecError naming the field for unknown keys, wrong types and impossible values.
    """
    if not isinstance(d, Mapping):
        raise SpecError("spec", "must be a JSON object")
    names = [f.name for f in dataclasses.fields(EstimateSpec)]
    for key in d:
        if key not in names:
            raise _unknown(str(key), str(key), names)
    if "model" not in d:
        raise SpecError("model", "is required")
    kw: dict[str, Any] = {"model": parse_model(d["model"])}
    for key, value in d.items():
        if key == "model" or value is None and key in _NULLABLE:
            continue
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                raise SpecError(key, f"must be one of {', '.join(map(str, _CHOICES[key]))}, got {value!r}")
            kw[key] = value
        elif key in _BOOLS:
            kw[key] = _bool(key, value)
        elif key == "seq_len":
            kw[key] = _pos_int(key, value, MAX_SEQ_LEN)
        elif key in _POS_INTS:
            kw[key] = _pos_int(key, value)
        elif key == "quant_bits":
            if value not in (4, 8, 16) or isinstance(value, bool):
                raise SpecError(key, f"must be 4, 8 or 16, got {value!r}")
            kw[key] = int(value)
        elif key == "zero_stage":
            if value not in (0, 1, 2, 3) or isinstance(value, bool):
                raise SpecError(key, f"must be 0, 1, 2 or 3, got {value!r}")
            kw[key] = int(value)
        elif key == "lora_targets":
            if not isinstance(value, list | tuple) or not value:
                raise SpecError(key, "must be a non-empty list")
            for t in value:
                if t not in LORA_TARGETS:
                    raise SpecError(key, f"unknown target {t!r}; choose from {', '.join(LORA_TARGETS)}")
            kw[key] = tuple(dict.fromkeys(value))
        elif key == "tokens":
            kw[key] = _number(key, value, 1.0)
        elif key == "mfu":
            kw[key] = _number(key, value, 0.01, 1.0)
        elif key == "gpu_memory_utilization":
            kw[key] = _number(key, value, 0.05, 1.0)
        elif key == "requests_per_s":
            kw[key] = _number(key, value, 1e-6, 1e9)
        elif key in ("fragmentation", "headroom"):
            kw[key] = _number(key, value, 0.0, 0.9)
        elif key == "cuda_context_gb":
            kw[key] = _number(key, value, 0.0, 16.0)
        elif key == "gpu":
            if not isinstance(value, str) or not value.strip():
                raise SpecError(key, "must be a GPU name")
            kw[key] = value.strip()
        else:  # pragma: no cover - every dataclass field is handled above
            raise SpecError(key, "unsupported field")
    if kw.get("zero_stage", 0) > 0 and "sharding" not in d:
        kw["sharding"] = "deepspeed"  # ZeRO stages are DeepSpeed's (FSDP is named explicitly)
    elif kw.get("zero_stage", 0) > 0 and kw.get("sharding") == "none":
        raise SpecError(
            "sharding",
            f"is none but zero_stage is {kw['zero_stage']}: ZeRO stages shard with DeepSpeed; set sharding to "
            "deepspeed (or fsdp for stages 2-3), or zero_stage to 0",
        )
    if kw.get("fsdp_strategy") is not None:
        if "sharding" not in d:
            kw["sharding"] = "fsdp"  # an FSDP sharding strategy names FSDP
        elif kw["sharding"] != "fsdp":
            raise SpecError("fsdp_strategy", f"is an FSDP setting but sharding is {kw['sharding']}")
        if kw.get("zero_stage", 0) > 0:
            raise SpecError("fsdp_strategy", "give either zero_stage or fsdp_strategy, not both")
    spec = EstimateSpec(**kw)
    _check_consistency(spec)
    return spec


def _check_consistency(spec: EstimateSpec) -> None:
    if not 1 <= spec.seq_len <= MAX_SEQ_LEN:
        raise SpecError("seq_len", f"must be between 1 and {MAX_SEQ_LEN:,} tokens, got {spec.seq_len:g}")
    if spec.offload == "nvme" and (spec.effective_zero_stage < 3 or spec.sharding == "fsdp"):
        raise SpecError(
            "offload",
            "nvme offload is DeepSpeed ZeRO-Infinity, which needs ZeRO stage 3 (sharding deepspeed, "
            "zero_stage 3); FSDP and ZeRO stages 1-2 offload to CPU only: use offload cpu",
        )
    if spec.method == "qlora" and spec.effective_quant_bits == 16:
        raise SpecError("quant_bits", "QLoRA needs 4 or 8-bit frozen weights")
    if spec.quant_scheme is not None and spec.effective_quant_bits != 16:
        needs8 = spec.quant_scheme == "int8"
        if needs8 != (spec.effective_quant_bits == 8):
            raise SpecError(
                "quant_scheme", f"{spec.quant_scheme} does not match quant_bits {spec.effective_quant_bits}"
            )
    if spec.method in ("full", "pretrain") and spec.effective_quant_bits < 16:
        raise SpecError("quant_bits", "full training cannot use quantised weights; use qlora")
    mp = spec.tensor_parallel * spec.pipeline_parallel * spec.context_parallel
    if spec.n_gpus % mp:
        raise SpecError(
            "n_gpus", f"must be a multiple of tensor_parallel x pipeline_parallel x context_parallel ({mp})"
        )
    if spec.context_parallel > spec.seq_len:
        raise SpecError("context_parallel", f"cannot exceed seq_len ({spec.seq_len})")
    if spec.virtual_stages is not None and spec.pipeline_schedule != "interleaved":
        raise SpecError("virtual_stages", "applies to pipeline_schedule interleaved only")
    if spec.pipeline_schedule == "interleaved" and spec.effective_virtual_stages < 2:
        raise SpecError("virtual_stages", "the interleaved schedule needs 2 or more model chunks per GPU")
    if spec.fsdp_strategy is not None and spec.sharding != "fsdp":
        raise SpecError("fsdp_strategy", f"is an FSDP setting but sharding is {spec.sharding}")
    if spec.method != "inference":
        for name in SERVING_FIELDS:
            if getattr(spec, name) is not None:
                raise SpecError(name, "is an inference setting: use it with method inference")
    if spec.requests_per_s is not None and spec.tokens is not None:
        raise SpecError(
            "tokens", "give either tokens (a batch job) or requests_per_s (a served load), not both"
        )
    if spec.requests_per_s is not None and spec.prompt_len is None:
        raise SpecError("requests_per_s", "needs prompt_len and gen_len (the tokens of each request)")
    if spec.gen_len is not None and spec.prompt_len is None:
        raise SpecError("gen_len", "needs prompt_len (the prompt tokens of each request)")
    if spec.prompt_len is not None and spec.prompt_len + (spec.gen_len or 0) > MAX_SEQ_LEN:
        raise SpecError("prompt_len", f"prompt_len + gen_len must not exceed {MAX_SEQ_LEN:,} tokens")
    if spec.method == "inference" and spec.context_parallel > 1:
        raise SpecError(
            "context_parallel", "is a training setting; inference splits across GPUs by tensor parallelism"
        )
    if spec.sharding == "fsdp" and spec.zero_stage == 1:
        raise SpecError("zero_stage", "FSDP shards gradients too: use 2 (SHARD_GRAD_OP) or 3 (FULL_SHARD)")
    if spec.training_precision == "mixed" and spec.precision == "fp32":
        raise SpecError("training_precision", "mixed precision needs a 16-bit compute precision")
    if isinstance(spec.model, ModelArch) and spec.tensor_parallel > spec.model.heads:
        raise SpecError("tensor_parallel", "cannot exceed the number of attention heads")
    if isinstance(spec.model, ModelArch) and spec.pipeline_parallel > spec.model.layers:
        raise SpecError("pipeline_parallel", "cannot exceed the number of layers")
    if (
        isinstance(spec.model, ModelArch)
        and spec.pipeline_parallel * spec.effective_virtual_stages > spec.model.layers
    ):
        raise SpecError(
            "virtual_stages", "pipeline_parallel x virtual_stages cannot exceed the number of layers"
        )


@dataclass(frozen=True)
class Fit:
    """The workload against one GPU type: ``min_gpus`` under the configured strategy (or the suggested
    one), whether the configured GPU count fits with headroom, the margin in GB (negative = short)."""

    gpu: str
    gpu_memory_gb: float
    min_gpus: int | None
    fits_as_configured: bool
    margin_gb: float
    suggestion: str | None


@dataclass
class EstimateResult:
    """Memory per GPU (GB), fit per GPU, time (hours) and warnings for one spec."""

    model: str
    method: str
    peak_gb_per_gpu: float
    reserved_gb_per_gpu: float
    device_gb_per_gpu: float
    breakdown_gb: dict[str, float]
    fits: list[Fit]
    gpu_hours: float | None
    wall_hours: float | None
    time_gpu: str | None
    warnings: list[str] = field(default_factory=list)
    time_parts_hours: dict[str, float] = field(default_factory=dict)
    host_gb: dict[str, float] = field(default_factory=dict)  # per GPU, moved to host RAM/NVMe by offload
    offload: str | None = None  # where host_gb lives: "cpu" (host RAM) or "nvme"; None without offload
    serving: dict[str, Any] | None = None  # inference on the time GPU: concurrency, latency, throughput
    device_gb_band: tuple[float, float] | None = None  # low / high device figure (framework profile), GB

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` shape (floats rounded to 3 decimals)."""
        return {
            "model": self.model,
            "method": self.method,
            "peak_gb_per_gpu": round(self.peak_gb_per_gpu, 3),
            "reserved_gb_per_gpu": round(self.reserved_gb_per_gpu, 3),
            "device_gb_per_gpu": round(self.device_gb_per_gpu, 3),
            "device_gb_per_gpu_band": None
            if self.device_gb_band is None
            else [round(self.device_gb_band[0], 3), round(self.device_gb_band[1], 3)],
            "breakdown_gb": {k: round(v, 3) for k, v in self.breakdown_gb.items()},
            "fits": [
                {
                    "gpu": f.gpu,
                    "gpu_memory_gb": f.gpu_memory_gb,
                    "min_gpus": f.min_gpus,
                    "fits_as_configured": f.fits_as_configured,
                    "margin_gb": round(f.margin_gb, 3),
                    "suggestion": f.suggestion,
                }
                for f in self.fits
            ],
            "gpu_hours": None if self.gpu_hours is None else round(self.gpu_hours, 3),
            "wall_hours": None if self.wall_hours is None else round(self.wall_hours, 3),
            "time_gpu": self.time_gpu,
            "time_parts_hours": {k: round(v, 4) for k, v in self.time_parts_hours.items()},
            "host_gb": {k: round(v, 3) for k, v in self.host_gb.items()},
            "offload": self.offload,
            "serving": self.serving,
            "warnings": list(self.warnings),
        }


BREAKDOWN_KEYS = (
    "weights",
    "quant_constants",
    "gradients",
    "optimizer_states",
    "paged_optimizer_states",
    "lora_adapters",
    "activations",
    "logits",
    "kv_cache",
    "reference_models",
    "critic_states",
    "gathered_layers",
    "autocast_cache",
    "quant_workspace",
    "step_buffers",
    "fragmentation",
    "cuda_context",
)


def _scalar(x: Any) -> float:
    return float(np.asarray(x).reshape(-1)[0])


def device_gb(model: ModelArch, spec: EstimateSpec, n_gpus: Any = None) -> np.ndarray[Any, Any]:
    """High end of the device figure (GB) per GPU for ``spec``, optionally over an array of GPU counts."""
    return np.asarray(memory_breakdown(model, spec, n_gpus=n_gpus)["device_high"], dtype=np.float64)


def required_gb(mem: Mapping[str, Any], headroom: float) -> np.ndarray[Any, Any]:
    """GPU memory (GB) a job needs to fit: the high end of its device band, and never less than the central
    device figure plus the headroom fraction - fits when this is at most the GPU's memory."""
    central = np.asarray(mem["device"], dtype=np.float64) / (1.0 - headroom)
    return np.maximum(np.asarray(mem["device_high"], dtype=np.float64), central)


def _min_gpus(model: ModelArch, spec: EstimateSpec, gpu: Gpu, least: int = 1) -> int | None:
    """Smallest candidate GPU count >= ``least`` whose memory requirement fits ``gpu``."""
    mp = spec.tensor_parallel * spec.pipeline_parallel * spec.context_parallel
    counts = np.array(
        [c for c in MIN_GPU_CANDIDATES if c >= least and (c % mp == 0 or spec.method == "inference")],
        dtype=float,
    )
    if counts.size == 0:
        return None
    need = required_gb(memory_breakdown(model, spec, n_gpus=counts), spec.headroom)
    ok = need <= gpu.memory_gb
    if not ok.any():
        return None
    return int(counts[int(np.argmax(ok))])


@dataclass(frozen=True)
class _Technique:
    """One way to make a job fit: its text, the spec change, and the least GPU count it means something at
    (sharding across one GPU shards nothing, so ZeRO-3/FSDP is only offered from 2 GPUs)."""

    text: str
    change: dict[str, Any]
    least: int = 1


def _techniques(spec: EstimateSpec) -> list[_Technique]:
    """Candidate techniques in preference order, minus those already in force or not applicable."""
    zero3 = {"zero_stage": 3} if spec.sharding == "deepspeed" else {"zero_stage": 3, "sharding": "fsdp"}
    offload_text = "offload optimizer states" + (" and parameters" if spec.effective_zero_stage >= 3 else "")
    out = [
        _Technique("enable gradient checkpointing", {"grad_checkpointing": True}),
        _Technique("use a fused/chunked cross-entropy (loss_impl=fused)", {"loss_impl": "fused"}),
        _Technique(
            "fuse the optimizer step into backward (optimizer_in_backward)", {"optimizer_in_backward": True}
        ),
        _Technique("shard with ZeRO-3/FSDP", zero3, least=2),
        _Technique(f"{offload_text} to CPU", {"offload": "cpu"}),
        _Technique("use an 8-bit optimizer", {"optimizer": "adamw_8bit"}),
        _Technique("switch to QLoRA (4-bit frozen weights)", {"method": "qlora", "quant_bits": 4}),
    ]
    return [
        t
        for t in out
        if not all(getattr(spec, k) == v for k, v in t.change.items())
        and not (t.change.get("method") == "qlora" and spec.method not in ("full", "lora"))
        # the fused step frees each gradient at once: no gradient accumulation (torchtune refuses both)
        and not ("optimizer_in_backward" in t.change and spec.grad_accumulation > 1)
        and not (t.change.get("offload") == "cpu" and spec.offload == "nvme")
    ]


def _apply(spec: EstimateSpec, change: dict[str, Any]) -> EstimateSpec:
    out = replace(spec, **change)
    if change.get("method") == "qlora":
        out = replace(out, optimizer="adamw", zero_stage=0, sharding="none", offload="none", peft=False)
    return out


def _fits_text(model: ModelArch, spec: EstimateSpec, gpu: Gpu, n: int) -> str:
    """'N GPU(s) at X GB per GPU': the count and the device figure the re-run model gives there."""
    dev = _scalar(device_gb(model, spec, np.array([float(n)])))
    return (
        f"{n} GPU(s) at up to {dev:.1f} GB per GPU (device figure, high end; {gpu.name} {gpu.memory_gb:g} GB)"
    )


def _describe(text: str, change: dict[str, Any], n: int) -> str:
    return f"{text} across {n} GPUs" if change.get("zero_stage") == 3 else text


def _suggest(
    model: ModelArch, spec: EstimateSpec, gpu: Gpu, configured_min: int | None = None
) -> tuple[str | None, int | None]:
    """The technique that makes the job fit, and its GPU count, each verified by re-running the model with
    the change: first each technique alone (order of :func:`_techniques`), then cumulatively. A technique
    is only offered when it needs fewer GPUs than the configured strategy (``configured_min``)."""
    better = (lambda n: True) if configured_min is None else (lambda n: n < configured_min)
    if spec.method == "inference":
        alt = replace(spec, quant_bits=4, quant_scheme="nf4")
        n = _min_gpus(model, alt, gpu)
        if n is None or not better(n):
            return None, None
        return f"quantise weights to 4-bit -> fits on {_fits_text(model, alt, gpu, n)}", n
    options = _techniques(spec)
    for t in options:
        alt = _apply(spec, t.change)
        n = _min_gpus(model, alt, gpu, t.least)
        if n is not None and better(n):
            return f"{_describe(t.text, t.change, n)} -> fits on {_fits_text(model, alt, gpu, n)}", n
    if configured_min is not None:
        return None, None
    current, applied = spec, []
    least = 1
    for t in options:
        current = _apply(current, t.change)
        applied.append(t)
        least = max(least, t.least)
        n = _min_gpus(model, current, gpu, least)
        if n is not None:
            text = "; ".join(_describe(a.text, a.change, n) for a in applied)
            return f"{text} -> fits on {_fits_text(model, current, gpu, n)}", n
    return None, None


def estimate(spec: EstimateSpec, model: ModelArch, gpus: Sequence[Gpu]) -> EstimateResult:
    """Memory per GPU (GB) with its breakdown, the fit on each of ``gpus``, and time on ``spec.gpu``
    (or on the only GPU given) when ``spec.tokens`` is set."""
    spec = replace(spec, model=model)
    _check_consistency(spec)
    served = spec  # what the GPU holds: a serving engine runs as many sequences as its KV pool allows
    early_gpu = _time_gpu(spec, gpus)
    if spec.method == "inference" and spec.gpu_memory_utilization is not None and early_gpu is not None:
        # the engine preallocates its pool: no allocator fragmentation on top of it
        concurrency = serving_estimate(model, spec, early_gpu).concurrency
        served = replace(spec, micro_batch=concurrency, fragmentation=0.0)
    mem = memory_breakdown(model, served)
    breakdown = {k: _scalar(mem[k]) for k in BREAKDOWN_KEYS if k in mem}
    breakdown = {k: v for k, v in breakdown.items() if v > 0 or k in ("weights", "activations")}
    device = _scalar(mem["device"])
    band = (_scalar(mem["device_low"]), _scalar(mem["device_high"]))
    need = _scalar(required_gb(mem, served.headroom))
    fits: list[Fit] = []
    for gpu in gpus:
        margin = gpu.memory_gb - need
        ok = margin >= 0
        min_n = _min_gpus(model, served, gpu)
        suggestion = None
        if not ok:
            suggestion, alt_n = _suggest(model, served, gpu, min_n)
            if min_n is None:
                min_n = alt_n
            elif suggestion is None:
                suggestion = f"use {min_n} GPUs with the configured strategy -> {_fits_text(model, served, gpu, min_n)}"
        fits.append(Fit(gpu.name, gpu.memory_gb, min_n, ok, gpu.memory_gb - band[1], suggestion))
    warnings = _warnings(spec, model)
    host = _host_gb(mem)
    if host:
        warnings.append(_host_warning(spec, host))
    time_gpu = _time_gpu(spec, gpus)
    if spec.float8 and spec.method != "inference" and time_gpu is not None:
        if not time_gpu.fp8_dense_tflops:
            warnings.append(
                f"Float8 training needs FP8 tensor cores, which the {time_gpu.name} does not have: "
                "the time is for bf16 (H100, H200, B200, L40S or MI300X have them)"
            )
        elif not spec.compile:
            warnings.append(
                "Float8 linear layers are fast only when torch.compile fuses their casts: "
                "the time counts no Float8 speed-up without compile"
            )
    named_fit = next((f for f in fits if time_gpu is not None and f.gpu == time_gpu.name), None)
    if named_fit is not None and not named_fit.fits_as_configured and (spec.gpu or spec.tokens):
        warnings.append(_no_fit_warning(spec, named_fit, device, band[1]))
    gpu_hours = wall_hours = None
    parts: dict[str, float] = {}
    serving = None
    if spec.method == "inference" and time_gpu is not None:
        sv = serving_estimate(model, spec, time_gpu)
        serving = _serving_json(sv)
        if sv.gpu_hours_per_month is not None:
            gpu_hours, wall_hours = sv.gpu_hours_per_month, HOURS_PER_MONTH
        if sv.max_concurrency is not None and sv.max_concurrency < spec.micro_batch:
            warnings.append(
                f"the KV-cache pool holds {sv.max_concurrency:.1f} full-length sequences on {time_gpu.name}: "
                f"{sv.concurrency} run concurrently, not the {spec.micro_batch} configured"
            )
    if spec.requests_per_s is not None and time_gpu is None:
        warnings.append("requests_per_s given but no GPU to serve them on: set gpu")
    if time_gpu is not None and spec.tokens is not None:
        trainable = (
            lora_params(model, spec.lora_rank, spec.lora_targets)
            if spec.method in ("lora", "qlora") or spec.peft
            else total_params(model)
        )
        t = estimate_time(model, spec, time_gpu, trainable)
        if t is not None:
            gpu_hours, wall_hours = t.gpu_hours, t.wall_hours
            parts = {
                "compute": t.compute_hours,
                "communication": t.comm_hours,
                "generation": t.generation_hours,
            }
            if spec.method != "inference":
                parts["mfu"] = t.mfu
    elif spec.tokens is not None:
        warnings.append("tokens given but no GPU to time the run on: set gpu")
    return EstimateResult(
        model=model.name,
        method=spec.method,
        peak_gb_per_gpu=_scalar(mem["peak_allocated"]),
        reserved_gb_per_gpu=_scalar(mem["reserved"]),
        device_gb_per_gpu=device,
        breakdown_gb=breakdown,
        fits=fits,
        gpu_hours=gpu_hours,
        wall_hours=wall_hours,
        time_gpu=time_gpu.name if time_gpu else None,
        warnings=warnings,
        time_parts_hours=parts,
        host_gb=host,
        offload=spec.offload if host else None,
        serving=serving,
        device_gb_band=band,
    )


def _serving_json(sv: ServingEstimate) -> dict[str, Any]:
    """A serving estimate as plain, rounded numbers (the CLI's ``serving`` object)."""
    out: dict[str, Any] = {
        "gpus_per_replica": sv.gpus_per_replica,
        "concurrency": sv.concurrency,
        "ttft_s": round(sv.ttft_s, 4),
        "tpot_ms": round(sv.tpot_s * 1e3, 3),
        "requests_per_s_per_replica": round(sv.requests_per_s, 4),
        "output_tokens_per_s_per_gpu": round(sv.output_tokens_per_s_per_gpu, 1),
        "gpu_seconds_per_request": round(sv.gpu_seconds_per_request, 4),
        "bound": sv.bound,
    }
    if sv.kv_pool_gb_per_gpu is not None and sv.max_concurrency is not None:
        out["kv_pool_gb_per_gpu"] = round(sv.kv_pool_gb_per_gpu, 3)
        out["max_concurrency"] = round(sv.max_concurrency, 2)
    if sv.gpus_needed is not None and sv.gpu_hours_per_month is not None:
        out["replicas_needed"] = sv.replicas_needed
        out["gpus_needed"] = sv.gpus_needed
        out["gpu_hours_per_month"] = round(sv.gpu_hours_per_month, 1)
    return out


def _host_gb(mem: Mapping[str, Any]) -> dict[str, float]:
    """Per-GPU GB moved off the GPU by offload (optimizer states, gradients, weights), non-zero terms only."""
    out = {k.removeprefix("host_"): _scalar(v) for k, v in mem.items() if k.startswith("host_")}
    return {k: v for k, v in out.items() if v > 0}


def _host_warning(spec: EstimateSpec, host: Mapping[str, float]) -> str:
    per_gpu = sum(host.values())
    per_node = per_gpu * min(spec.n_gpus, spec.gpus_per_node)
    what = ", ".join(k.replace("_", " ") for k in host)
    where = "host RAM" if spec.offload == "cpu" else "NVMe (plus pinned host-RAM swap buffers)"
    return (
        f"offload {spec.offload} moves {per_gpu:.1f} GB per GPU ({per_node:.1f} GB per node of "
        f"{min(spec.n_gpus, spec.gpus_per_node)} GPUs) of {what} to {where}: not in the GPU figures, the "
        "server must have it free, and every step moves it over PCIe"
    )


def _no_fit_warning(spec: EstimateSpec, fit: Fit, device: float, high: float) -> str:
    usable = fit.gpu_memory_gb * (1.0 - spec.headroom)
    fix = fit.suggestion or "no GPU count or listed technique makes it fit"
    return (
        f"does not fit {fit.gpu} as configured ({spec.n_gpus} GPU(s)): {device:.1f} GB per GPU on the device, "
        f"up to {high:.1f} GB by framework and allocator, against {fit.gpu_memory_gb:g} GB "
        f"({usable:.1f} GB usable with {spec.headroom:.0%} headroom); the GPU-hours assume a configuration "
        f"that fits; first fix: {fix}"
    )


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _time_gpu(spec: EstimateSpec, gpus: Sequence[Gpu]) -> Gpu | None:
    """The GPU to time the run on: ``spec.gpu`` (case/space/hyphen-insensitive) or the only GPU given."""
    if spec.gpu is not None:
        wanted = _norm(spec.gpu)
        for g in gpus:
            if _norm(g.name) == wanted:
                return g
    return gpus[0] if len(gpus) == 1 else None


def _warnings(spec: EstimateSpec, model: ModelArch) -> list[str]:
    out: list[str] = []
    if spec.zero_stage > 0 and spec.sharding == "none":  # built in code, not by parse_spec (which infers)
        out.append(
            f"zero_stage {spec.zero_stage} with sharding none: treated as DeepSpeed ZeRO-{spec.zero_stage}"
        )
    multi_node = spec.n_gpus > spec.gpus_per_node
    if multi_node and spec.network in NOT_VIABLE_NETWORKS and spec.method != "inference":
        out.append(
            f"{spec.network.replace('_', ' ')} Ethernet between nodes is not viable for multi-node training "
            "(“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §2.3: use InfiniBand HDR/NDR or RoCE 100 GbE+)"
        )
    if spec.tensor_parallel > spec.gpus_per_node:
        out.append(
            "tensor parallelism beyond one node crosses the network on every layer: keep TP inside a node"
        )
    if spec.method == "ppo" and not spec.peft and total_params(model) >= 30e9 and spec.n_gpus < 8:
        out.append("PPO keeps four models (actor, critic, reward, reference): at this size plan 8-16 GPUs")
    if spec.optimizer.startswith("paged"):
        out.append(
            "paged optimizer states live in CUDA unified memory: they are left out of the allocated and device "
            "figures, spill to CPU RAM under memory pressure, and throughput drops when they do"
        )
    if spec.precision == "fp16" and spec.training_precision == "pure_bf16" and spec.method != "inference":
        out.append("pure fp16 training (no master weights) is numerically fragile: prefer bf16 or mixed")
    return out


@dataclass(frozen=True)
class ServerFit:
    """The workload against one server platform: servers needed (nodes) and whether one server suffices."""

    vendor: str
    model: str
    gpu: str
    gpus_per_server: int
    servers_needed: int | None
    fits_one_server: bool


def fit_servers(result: EstimateResult, servers: Sequence[ServerPlatform]) -> list[ServerFit]:
    """Servers needed per platform = ceil(min GPUs on its GPU type / GPUs per server) (None: no fit)."""
    by_gpu = {f.gpu.lower(): f for f in result.fits}
    out = []
    for srv in servers:
        fit = by_gpu.get(srv.gpu_name.lower())
        need = None
        if fit is not None and fit.min_gpus is not None and srv.gpu_count > 0:
            need = math.ceil(fit.min_gpus / srv.gpu_count)
        out.append(ServerFit(srv.vendor, srv.model, srv.gpu_name, srv.gpu_count, need, need == 1))
    return out


def model_states_gb(spec: EstimateSpec, model: ModelArch) -> float:
    """Weights + gradients + optimizer states per GPU (GB), without activations (for seed checks)."""
    mem = memory_breakdown(model, spec)
    keys = ("weights", "gradients", "optimizer_states", "lora_adapters", "quant_constants")
    return sum(_scalar(mem[k]) for k in keys if k in mem)


__all__ = [
    "GB",
    "EstimateResult",
    "EstimateSpec",
    "Fit",
    "ServerFit",
    "SpecError",
    "estimate",
    "fit_servers",
    "model_states_gb",
    "parse_model",
    "parse_spec",
]
