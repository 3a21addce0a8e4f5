"""Small catalog of domain values for the Catalog view's tests (built here, no database needed).

Figures are illustrative of the shipped catalog's shape; the tests compute every expected derived value
independently from these inputs, so none of them is taken on trust.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from planner.catalog import CloudSku, FxRate, Gpu, ModelArch, ServerPlatform

TODAY = dt.date(2026, 11, 23)
FRESH = dt.date(2026, 6, 1)
OLD = dt.date(2025, 1, 15)  # more than 12 months before TODAY

H100 = Gpu(
    "NVIDIA",
    "H100 SXM",
    "SXM",
    80,
    3350,
    989,
    1979,
    700,
    "NVLink",
    900,
    25000,
    40000,
    "https://www.nvidia.com/en-us/data-center/h100/",
    FRESH,
)
A100 = Gpu(
    "NVIDIA",
    "A100 80GB SXM",
    "SXM",
    80,
    2039,
    312,
    None,
    400,
    "NVLink",
    600,
    15000,
    None,
    "https://www.nvidia.com/en-us/data-center/a100/",
    OLD,
)
L4 = Gpu(
    "NVIDIA",
    "L4",
    "PCIe",
    24,
    300,
    121,
    242.5,
    72,
    "PCIe",
    64,
    None,
    None,
    "https://www.nvidia.com/en-us/data-center/l4/",
    FRESH,
)
GPUS = [H100, A100, L4]

DGX_H100 = ServerPlatform(
    "NVIDIA",
    "DGX H100",
    "H100 SXM",
    8,
    "2x Xeon 8480C",
    2048,
    30,
    "InfiniBand NDR 400G x8",
    10.2,
    300000,
    "https://www.nvidia.com/en-us/data-center/dgx-h100/",
    FRESH,
)
MYSTERY_SERVER = ServerPlatform(
    "Acme",
    "Box 4",
    "Unknown GPU",
    4,
    "EPYC",
    512,
    8,
    "25GbE",
    3.0,
    50000,
    "https://example.com/box4",
    OLD,
    origin="user",
)
SERVERS = [DGX_H100, MYSTERY_SERVER]


def sku(instance: str, gpu: str, count: int, unit: str, rate: float, **kw: object) -> CloudSku:
    base: dict[str, object] = dict(
        provider="AWS",
        service_kind="iaas_vm",
        instance=instance,
        region="us-east-1",
        gpu_name=gpu,
        gpu_count=count,
        vcpu=192,
        ram_gb=2048.0,
        rate_unit=unit,
        on_demand_per_hour=rate,
        spot_per_hour=None,
        reserved_1y_per_hour=None,
        reserved_3y_per_hour=None,
        max_savings_plan_discount=None,
        billing_increment_s=1,
        min_billing_s=60,
        managed_premium=0.0,
        storage_per_gb_month=None,
        egress_per_gb=None,
        source_url=f"https://example.com/{instance}",
        as_of=FRESH,
    )
    base.update(kw)
    return CloudSku(**base)  # type: ignore[arg-type]


P5 = sku("p5.48xlarge", "H100 SXM", 8, "instance", 55.04, spot_per_hour=30.0)
P4D = sku("p4d.24xlarge", "A100 80GB SXM", 8, "instance", 32.7726, as_of=OLD)
VERTEX_A100 = sku(
    "a2-ultragpu-1g training",
    "A100 80GB SXM",
    1,
    "gpu",
    2.93,
    provider="Google Cloud",
    service_kind="managed_training",
    region="us-central1",
    billing_increment_s=30,
)
LAMBDA_H100 = sku(
    "gpu_8x_h100_sxm5",
    "H100 SXM",
    8,
    "gpu",
    2.99,
    provider="Lambda",
    service_kind="gpu_cloud",
    region="us-west-1",
)
CLOUD = [P5, P4D, VERTEX_A100, LAMBDA_H100]

LLAMA_8B = ModelArch(
    "Llama 3.1 8B",
    8.03,
    32,
    4096,
    32,
    8,
    128,
    128256,
    14336,
    source_url="https://huggingface.co/meta-llama/Llama-3.1-8B",
    as_of=OLD,
)
MIXTRAL = ModelArch(
    "Mixtral 8x7B",
    46.7,
    32,
    4096,
    32,
    8,
    128,
    32000,
    14336,
    experts=8,
    experts_per_token=2,
    active_params_b=12.9,
    source_url="https://huggingface.co/mistralai/Mixtral-8x7B-v0.1",
    as_of=FRESH,
)
MODELS = [LLAMA_8B, MIXTRAL]

EUR_USD = FxRate("EUR", "USD", 1.08, FRESH, "https://www.ecb.europa.eu/")
GBP_USD = FxRate("GBP", "USD", 1.27, OLD, "https://www.ecb.europa.eu/")
FX = [EUR_USD, GBP_USD]

# One list per table, each of that table's domain type.
ALL: dict[str, Sequence[Any]] = {"gpus": GPUS, "servers": SERVERS, "cloud": CLOUD, "models": MODELS, "fx": FX}
GPU_LOOKUP = {g.name: g for g in GPUS}
