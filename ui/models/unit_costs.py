"""Derived unit costs shown beside the catalog's own figures (pure functions, no Qt).

Units: USD; GPU memory GB (decimal); compute dense BF16 TFLOPS (1 PFLOPS = 1,000 TFLOPS); hours.
Every function returns None when an input it needs is missing or zero, so a table shows a blank
instead of a made-up number.
"""

from __future__ import annotations

from planner.catalog import CloudSku, Gpu, ServerPlatform

TFLOPS_PER_PFLOPS = 1000.0


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def gpu_price_mid(gpu: Gpu) -> float | None:
    """Street price midpoint (USD): mean of low and high, or whichever one is known."""
    known = [p for p in (gpu.price_low_usd, gpu.price_high_usd) if p is not None]
    return sum(known) / len(known) if known else None


def gpu_usd_per_gb(gpu: Gpu) -> float | None:
    """Street price midpoint (USD) / memory (GB)."""
    price, memory = gpu_price_mid(gpu), _positive(gpu.memory_gb)
    return price / memory if price is not None and memory else None


def gpu_usd_per_tflops(gpu: Gpu) -> float | None:
    """Street price midpoint (USD) / dense BF16 TFLOPS."""
    price, tflops = gpu_price_mid(gpu), _positive(gpu.bf16_dense_tflops)
    return price / tflops if price is not None and tflops else None


def server_usd_per_gb(server: ServerPlatform, gpu: Gpu | None) -> float | None:
    """List price (USD) / total GPU memory of the server (GB = count x per-GPU memory)."""
    if gpu is None or server.list_price_usd is None or not _positive(gpu.memory_gb):
        return None
    total = gpu.memory_gb * server.gpu_count
    return server.list_price_usd / total if total > 0 else None


def server_usd_per_tflops(server: ServerPlatform, gpu: Gpu | None) -> float | None:
    """List price (USD) / total dense BF16 TFLOPS of the server (count x per-GPU TFLOPS)."""
    if gpu is None or server.list_price_usd is None or not _positive(gpu.bf16_dense_tflops):
        return None
    total = gpu.bf16_dense_tflops * server.gpu_count
    return server.list_price_usd / total if total > 0 else None


def sku_usd_per_gpu_hour(sku: CloudSku, rate: float | None = None) -> float | None:
    """$/GPU-hour for ``rate`` (default on-demand); respects ``rate_unit`` (instance vs GPU)."""
    if rate is None and sku.on_demand_per_hour is None:
        return None
    if sku.rate_unit == "instance" and sku.gpu_count <= 0:
        return None
    return sku.per_gpu_hour(rate)


def sku_usd_per_instance_hour(sku: CloudSku) -> float:
    """On-demand $/instance-hour (a per-GPU rate times the GPU count)."""
    return sku.per_instance_hour()


def sku_usd_per_gb_hour(sku: CloudSku, gpu: Gpu | None) -> float | None:
    """On-demand $/GPU-hour / GPU memory (GB): the price of one GB of GPU memory for one hour."""
    per_gpu = sku_usd_per_gpu_hour(sku)
    if gpu is None or per_gpu is None or not _positive(gpu.memory_gb):
        return None
    return per_gpu / gpu.memory_gb


def sku_usd_per_pflop_hour(sku: CloudSku, gpu: Gpu | None) -> float | None:
    """On-demand $/GPU-hour / dense BF16 PFLOPS per GPU: one hour of one dense PFLOPS of peak compute."""
    per_gpu = sku_usd_per_gpu_hour(sku)
    if gpu is None or per_gpu is None or not _positive(gpu.bf16_dense_tflops):
        return None
    return per_gpu / (gpu.bf16_dense_tflops / TFLOPS_PER_PFLOPS)
