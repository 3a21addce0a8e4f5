"""Speed of the memory model: configurations per second, single and batched; a 10,000-point sweep
(sequence length x batch x GPU count, then against every GPU type) must take < 20 ms."""

from __future__ import annotations

import time

import numpy as np

from planner.catalog import ModelArch
from planner.engine.estimate import EstimateSpec
from planner.engine.memory import fits_matrix, memory_breakdown

LLAMA31_8B = ModelArch("Llama-3.1-8B", 8.03, 32, 4096, 32, 8, 128, 128256, 14336)
GPU_MEMORY_GB = np.array([24, 24, 40, 48, 48, 80, 80, 80, 94, 141, 180, 192, 256], dtype=float)


def _best_of(fn: object, repeats: int = 7) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def test_bench_single_config() -> None:
    spec = EstimateSpec(LLAMA31_8B, method="qlora", grad_checkpointing=True)
    n = 300
    seconds = _best_of(lambda: [memory_breakdown(LLAMA31_8B, spec) for _ in range(n)], repeats=3)
    print(f"\nsingle config: {n / seconds:,.0f} configs/s ({seconds / n * 1e6:.0f} us each)")


def test_bench_10k_sweep_under_20ms() -> None:
    spec = EstimateSpec(LLAMA31_8B, method="full", sharding="fsdp", grad_checkpointing=True)
    seq = np.linspace(256, 32768, 25)[:, None, None]
    batch = np.arange(1, 21, dtype=float)[None, :, None]
    gpus = np.array(
        [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 4096.0]
    )
    gpus = gpus[None, None, :]

    def sweep() -> np.ndarray:
        dev = memory_breakdown(LLAMA31_8B, spec, seq_len=seq, micro_batch=batch, n_gpus=gpus)["device"]
        return fits_matrix(dev, GPU_MEMORY_GB)

    out = sweep()
    assert out.shape == (25, 20, 20, GPU_MEMORY_GB.size)
    seconds = _best_of(sweep)
    points = 25 * 20 * 20
    print(
        f"\n10,000-point sweep (+ fit on {GPU_MEMORY_GB.size} GPU types = {out.size:,} cells): "
        f"{seconds * 1e3:.2f} ms, {points / seconds:,.0f} configs/s batched"
    )
    assert seconds < 0.020
