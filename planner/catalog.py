"""Catalog domain values: frozen, sourced, dated. `db` converts its *Row tables into these.

Units: prices USD; memory GB (decimal, as marketed); bandwidth GB/s; compute dense TFLOPS; power W (GPU)
and kW (server). Every value carries the URL it came from and its as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Origin = Literal["shipped", "user", "imported"]
RateUnit = Literal["instance", "gpu"]
ServiceKind = Literal["iaas_vm", "managed_training", "gpu_cloud"]

STALE_AFTER_DAYS = 365
"""Rows with an as-of date older than 12 months are stale."""


def is_stale(as_of: dt.date, today: dt.date) -> bool:
    """True when ``as_of`` is more than 12 months before ``today``."""
    return (today - as_of).days > STALE_AFTER_DAYS


@dataclass(frozen=True)
class Gpu:
    """An accelerator. ``name`` is the natural key used everywhere (e.g. "H100 SXM")."""

    vendor: str
    name: str
    form_factor: str  # SXM / PCIe / OAM / NVL / consumer / TPU
    memory_gb: float
    memory_bandwidth_gbs: float
    bf16_dense_tflops: float
    fp8_dense_tflops: float | None
    tdp_w: float | None  # None where the vendor publishes no power figure (Cloud TPU chips)
    interconnect: str  # NVLink / Infinity Fabric / PCIe
    interconnect_gbs: float
    price_low_usd: float | None
    price_high_usd: float | None
    source_url: str
    as_of: dt.date
    origin: Origin = "shipped"
    chips_per_host: int | None = None  # accelerators per host VM where the offering fixes it (TPU: 4 or 8)

    @property
    def sparse_bf16_tflops(self) -> float:
        """2:4 structured-sparsity figure: vendors quote it; we store dense and derive this."""
        return 2.0 * self.bf16_dense_tflops


@dataclass(frozen=True)
class ServerPlatform:
    vendor: str
    model: str
    gpu_name: str
    gpu_count: int
    cpu: str
    ram_gb: float
    nvme_tb: float
    network: str  # e.g. "InfiniBand NDR 400G x8", "RoCE 200GbE", "25GbE"
    max_power_kw: float
    list_price_usd: float | None
    source_url: str
    as_of: dt.date
    origin: Origin = "shipped"


@dataclass(frozen=True)
class CloudSku:
    """A rentable GPU product. ``rate_unit`` says whether the $/h figures are per instance or per GPU."""

    provider: str
    service_kind: ServiceKind
    instance: str
    region: str
    gpu_name: str
    gpu_count: int
    vcpu: int | None
    ram_gb: float | None
    rate_unit: RateUnit
    on_demand_per_hour: float
    spot_per_hour: float | None
    reserved_1y_per_hour: float | None
    reserved_3y_per_hour: float | None
    max_savings_plan_discount: float | None  # fraction 0..1
    billing_increment_s: int
    min_billing_s: int
    managed_premium: float  # fraction over the bare VM (0 for a VM)
    storage_per_gb_month: float | None
    egress_per_gb: float | None
    source_url: str
    as_of: dt.date
    origin: Origin = "shipped"

    def per_gpu_hour(self, rate: float | None = None) -> float:
        """$/GPU-hour for ``rate`` (default on-demand), whatever the SKU's unit."""
        value = self.on_demand_per_hour if rate is None else rate
        return value if self.rate_unit == "gpu" else value / max(self.gpu_count, 1)

    def per_instance_hour(self, rate: float | None = None) -> float:
        value = self.on_demand_per_hour if rate is None else rate
        return value * self.gpu_count if self.rate_unit == "gpu" else value


@dataclass(frozen=True)
class ModelArch:
    """A transformer architecture; enough to size memory and FLOPs."""

    name: str
    params_b: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    intermediate: int
    mlp: Literal["gated", "plain"] = "gated"
    tied_embeddings: bool = False
    experts: int = 1
    experts_per_token: int = 1
    active_params_b: float | None = None
    source_url: str = ""
    as_of: dt.date | None = None
    origin: Origin = "shipped"


@dataclass(frozen=True)
class FxRate:
    """1 ``base`` = ``rate`` ``quote`` (e.g. EUR/USD 1.08), as of a date."""

    base: str
    quote: str
    rate: float
    as_of: dt.date
    source_url: str = ""
    origin: Origin = "shipped"
