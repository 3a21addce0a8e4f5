"""Column specifications of the catalog tables: what each column shows, its unit and how it is derived.

A column reads one domain value (plus a GPU lookup for the derived costs) and returns a plain value;
formatting for display is separate so sorting always works on the raw number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from planner.catalog import CloudSku, FxRate, Gpu, ModelArch, ServerPlatform
from ui.models import unit_costs as uc

# Every form factor db.schema.FORM_FACTORS accepts (spelled out here: importing db.schema would load SQLModel at
# start-up; tests/ui/test_catalog_page.py checks the two lists agree).
FORM_FACTOR_HINT = "SXM / PCIe / OAM / NVL / consumer / module / superchip / TPU"

Kind = Literal["text", "int", "float", "rate", "usd", "unit_usd", "pct", "date", "bool", "url"]
GpuLookup = Mapping[str, Gpu]
Getter = Callable[[Any, GpuLookup], Any]

TABLES = ("gpus", "servers", "cloud", "models", "fx")
TABLE_TITLES = {
    "gpus": "GPUs",
    "servers": "Servers",
    "cloud": "Cloud SKUs",
    "models": "Model architectures",
    "fx": "FX rates",
}
TABLE_TYPES: dict[str, type] = {
    "gpus": Gpu,
    "servers": ServerPlatform,
    "cloud": CloudSku,
    "models": ModelArch,
    "fx": FxRate,
}
# Model architectures are facts about a published model, not prices: they do not go stale.
STALE_TABLES = frozenset({"gpus", "servers", "cloud", "fx"})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    get: Getter
    tip: str = ""
    visible: bool = True
    derived: bool = False

    @property
    def label(self) -> str:
        """The header on one line (headers may break before their unit to keep columns narrow)."""
        return self.header.replace("\n", " ")


def field(key: str, header: str, kind: Kind, tip: str = "", visible: bool = True) -> Column:
    """A column showing a stored field of the domain value."""

    def get(value: Any, _gpus: GpuLookup) -> Any:
        return getattr(value, key)

    return Column(key, header, kind, get, tip, visible)


def derived(key: str, header: str, kind: Kind, get: Getter, tip: str, visible: bool = True) -> Column:
    """A computed column; ``tip`` states the formula (shown as the header's tooltip)."""
    return Column(key, header, kind, get, tip, visible, derived=True)


def _gpu_of(value: Any, gpus: GpuLookup) -> Gpu | None:
    return gpus.get(value.gpu_name)


def _common_tail(with_source: bool = True) -> tuple[Column, ...]:
    cols: tuple[Column, ...] = (
        field("as_of", "As of", "date", "Date the figure was read at its source"),
        derived("stale", "Stale", "text", lambda v, _g: "", "Older than 12 months", visible=True),
        field("origin", "Origin", "text", "shipped (read-only), user or imported"),
    )
    if with_source:
        cols += (field("source_url", "Source", "url", "Where the figure comes from", visible=False),)
    return cols


GPU_COLUMNS: tuple[Column, ...] = (
    field("vendor", "Vendor", "text"),
    field("name", "GPU", "text"),
    field("form_factor", "Form", "text", FORM_FACTOR_HINT),
    field("memory_gb", "Mem\n(GB)", "float", "GPU memory, GB (decimal, as marketed)"),
    field("bf16_dense_tflops", "BF16\nTFLOPS", "float", "Dense BF16/FP16 tensor TFLOPS (not sparse)"),
    field("fp8_dense_tflops", "FP8\nTFLOPS", "float", "Dense FP8 tensor TFLOPS (not sparse)"),
    field("interconnect", "Link", "text", "NVLink / Infinity Fabric / PCIe", visible=False),
    field("interconnect_gbs", "Link\n(GB/s)", "float", "GPU-to-GPU interconnect bandwidth, GB/s", False),
    field("price_low_usd", "Price\nlow", "usd", "Street price, low end, USD"),
    field("price_high_usd", "Price\nhigh", "usd", "Street price, high end, USD"),
    derived(
        "usd_per_gb",
        "$/GB",
        "unit_usd",
        lambda v, _g: uc.gpu_usd_per_gb(v),
        "Street price midpoint (mean of low and high) / memory GB",
    ),
    derived(
        "usd_per_tflops",
        "$/TFLOPS",
        "unit_usd",
        lambda v, _g: uc.gpu_usd_per_tflops(v),
        "Street price midpoint (mean of low and high) / dense BF16 TFLOPS",
    ),
    field("memory_bandwidth_gbs", "BW\n(GB/s)", "float", "Memory bandwidth, GB/s"),
    field("tdp_w", "TDP\n(W)", "float", "Thermal design power, W (empty: not published)"),
    field("chips_per_host", "Per\nhost", "int", "Accelerators per host VM (Cloud TPU)", visible=False),
) + _common_tail()

SERVER_COLUMNS: tuple[Column, ...] = (
    field("vendor", "Vendor", "text"),
    field("model", "Model", "text"),
    field("gpu_name", "GPU", "text"),
    field("gpu_count", "GPUs", "int", "Number of GPUs in the server"),
    field("list_price_usd", "List\nprice", "usd", "List price, USD"),
    derived(
        "usd_per_gb",
        "$/GB",
        "unit_usd",
        lambda v, g: uc.server_usd_per_gb(v, _gpu_of(v, g)),
        "List price / (GPU count x GPU memory GB); needs the GPU in the GPU catalog",
    ),
    derived(
        "usd_per_tflops",
        "$/TFLOPS",
        "unit_usd",
        lambda v, g: uc.server_usd_per_tflops(v, _gpu_of(v, g)),
        "List price / (GPU count x dense BF16 TFLOPS per GPU); needs the GPU in the GPU catalog",
    ),
    field("cpu", "CPU", "text", visible=False),
    field("ram_gb", "RAM\n(GB)", "float", "System memory, GB"),
    field("nvme_tb", "NVMe\n(TB)", "float", "Local NVMe storage, TB"),
    field("network", "Network", "text"),
    field("max_power_kw", "Max\nkW", "float", "Maximum system power, kW"),
) + _common_tail()

SERVICE_KIND_LABELS = {"iaas_vm": "VM", "managed_training": "Managed", "gpu_cloud": "GPU cloud"}
_RATE_TIP = "as published: per instance-hour or per GPU-hour, see 'Rate per'"
CLOUD_COLUMNS: tuple[Column, ...] = (
    field("provider", "Provider", "text"),
    Column(
        "service_kind",
        "Kind",
        "text",
        lambda v, _g: SERVICE_KIND_LABELS.get(v.service_kind, v.service_kind),
        "VM (iaas_vm), managed training service (managed_training) or GPU cloud (gpu_cloud)",
    ),
    field("instance", "Instance", "text"),
    field("region", "Region", "text"),
    field("gpu_name", "GPU", "text"),
    field("gpu_count", "GPUs", "int", "GPUs per instance"),
    derived(
        "usd_per_gpu_hour",
        "$/GPU-h",
        "unit_usd",
        lambda v, _g: uc.sku_usd_per_gpu_hour(v),
        "On-demand $/GPU-hour = rate (per-instance rates / GPU count)",
    ),
    derived(
        "usd_per_instance_hour",
        "$/inst-h",
        "usd",
        lambda v, _g: uc.sku_usd_per_instance_hour(v),
        "On-demand $/instance-hour = rate (per-GPU rates x GPU count)",
    ),
    derived(
        "spot_usd_per_gpu_hour",
        "Spot\n$/GPU-h",
        "unit_usd",
        lambda v, _g: None if v.spot_per_hour is None else uc.sku_usd_per_gpu_hour(v, v.spot_per_hour),
        "Spot $/GPU-hour = spot rate (per-instance rates / GPU count)",
    ),
    derived(
        "usd_per_gb_hour",
        "$/GB-h",
        "unit_usd",
        lambda v, g: uc.sku_usd_per_gb_hour(v, _gpu_of(v, g)),
        "On-demand $/GPU-hour / GPU memory GB: one GB of GPU memory for one hour",
    ),
    derived(
        "usd_per_pflop_hour",
        "$/PFLOP-h",
        "unit_usd",
        lambda v, g: uc.sku_usd_per_pflop_hour(v, _gpu_of(v, g)),
        "On-demand $/GPU-hour / (dense BF16 TFLOPS / 1000): one hour of one dense PFLOPS",
    ),
    field("vcpu", "vCPU", "int", visible=False),
    field("ram_gb", "RAM\n(GB)", "float", visible=False),
    field("rate_unit", "Rate\nper", "text", "Whether the $/h figures are per instance or per GPU"),
    field("on_demand_per_hour", "On-demand\n$/h", "usd", f"On-demand rate, USD/h, {_RATE_TIP}"),
    field("spot_per_hour", "Spot\n$/h", "usd", f"Spot / preemptible rate, USD/h, {_RATE_TIP}"),
    field("reserved_1y_per_hour", "1-yr $/h", "usd", f"1-year commitment, USD/h, {_RATE_TIP}", False),
    field("reserved_3y_per_hour", "3-yr $/h", "usd", f"3-year commitment, USD/h, {_RATE_TIP}", False),
    field("max_savings_plan_discount", "Max plan\ndisc.", "pct", "Largest savings-plan discount", False),
    field("billing_increment_s", "Billing\nstep (s)", "int", "Billing increment, seconds", False),
    field("min_billing_s", "Min\nbilled (s)", "int", "Minimum billed duration, seconds", False),
    field("managed_premium", "Managed\npremium", "pct", "Premium of the managed service over the VM", False),
    field("storage_per_gb_month", "Storage\n$/GB-mo", "unit_usd", "Storage, USD per GB-month", False),
    field("egress_per_gb", "Egress\n$/GB", "unit_usd", "Data egress, USD per GB", False),
) + _common_tail()

MODEL_COLUMNS: tuple[Column, ...] = (
    field("name", "Model", "text"),
    field("params_b", "Params\n(B)", "float", "Total parameters, billions"),
    field("active_params_b", "Active\n(B)", "float", "Parameters active per token (MoE), billions"),
    field("layers", "Layers", "int"),
    field("hidden", "Hidden", "int", "Hidden size"),
    field("heads", "Heads", "int", "Attention heads"),
    field("kv_heads", "KV\nheads", "int", "Key/value heads (GQA)"),
    field("head_dim", "Head\ndim", "int", visible=False),
    field("vocab", "Vocab", "int", "Vocabulary size"),
    field("intermediate", "FFN", "int", "MLP intermediate size"),
    field("mlp", "MLP", "text", "gated (SwiGLU/GeGLU) or plain", False),
    field("experts", "Experts", "int", "MoE experts (1 = dense)"),
    field("experts_per_token", "Active\nexperts", "int", "Experts routed per token", False),
    field("tied_embeddings", "Tied\nemb.", "bool", visible=False),
    field("as_of", "As of", "date"),
    field("origin", "Origin", "text"),
    field("source_url", "Source", "url", visible=False),
)

FX_COLUMNS: tuple[Column, ...] = (
    derived("pair", "Pair", "text", lambda v, _g: f"{v.base}/{v.quote}", "1 base = rate quote"),
    field("base", "Base", "text", visible=False),
    field("quote", "Quote", "text", visible=False),
    field("rate", "Rate", "rate", "1 base = rate quote"),
    derived(
        "inverse",
        "Inverse",
        "rate",
        lambda v, _g: 1.0 / v.rate if v.rate else None,
        "1 quote = (1 / rate) base",
    ),
) + _common_tail()

COLUMNS: dict[str, tuple[Column, ...]] = {
    "gpus": GPU_COLUMNS,
    "servers": SERVER_COLUMNS,
    "cloud": CLOUD_COLUMNS,
    "models": MODEL_COLUMNS,
    "fx": FX_COLUMNS,
}


def format_value(kind: Kind, value: Any) -> str:
    """Display text for a raw value; blank for None."""
    if value is None:
        return ""
    if kind == "usd":
        return f"${value:,.2f}" if value < 1000 else f"${value:,.0f}"
    if kind == "unit_usd":
        return _format_unit_usd(float(value))
    if kind == "pct":
        return f"{value * 100:.0f}%"
    if kind == "float":
        return _format_float(float(value))
    if kind == "int":
        return f"{value:,}"
    if kind == "rate":
        return f"{value:,.6g}"  # exchange rates keep six significant digits
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def _format_unit_usd(value: float) -> str:
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:.4f}"


def _format_float(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def is_numeric(kind: Kind) -> bool:
    return kind in ("int", "float", "rate", "usd", "unit_usd", "pct")
