"""Which fields the editor shows for the project, a workload and each kind of option (labels with units),
the workload templates, and options built from catalog rows."""

from __future__ import annotations

from typing import Any

from planner.analysis import defaults as dflt
from planner.project import COMPLIANCE_REGIMES, DATA_CATEGORIES, PRICING_MODELS
from ui.editor.fields import FieldSpec as F

FRACTION = "a fraction: 0.12 = 12 %"

PROJECT_FIELDS = (
    F("name", "Project name", "text"),
    F("client", "Client", "text"),
    F("consultant", "Consultant", "text"),
    F("region", "Region", "text"),
    F("currency", "Currency", "combo", choices=("USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD")),
    F("horizon_months", "Horizon (months)", "int", "Months compared, 1 to 84"),
    F("hours_per_month", "Hours per month", "optfloat", "730 = 8,760 h a year / 12", placeholder="730"),
    F("discount_rate_annual", "Discount rate (a year)", "optfloat", FRACTION, placeholder="0"),
    F(
        "electricity_per_kwh",
        "Electricity (per kWh)",
        "optfloat",
        "Price per kWh in the project currency",
        placeholder="0",
    ),
    F(
        "pue",
        "PUE",
        "optfloat",
        "Power usage effectiveness of the data centre, 1.0 to 5.0",
        placeholder="1.0",
    ),
    F("compliance", "Compliance", "flags", choices=tuple(sorted(COMPLIANCE_REGIMES))),
    F(
        "country",
        "Client's country",
        "text",
        "Two-letter code (ISO 3166, e.g. DE, US): selects the regulations",
    ),
    F("data_categories", "Regulated data", "flags", choices=tuple(sorted(DATA_CATEGORIES))),
    F(
        "mlops_team",
        "In-house MLOps team",
        "bool",
        "The organisation already runs an MLOps team",
        default=True,
    ),
    F("fte_point", "Staffing estimate", "choice", choices=("low", "mid", "high"), default="mid"),
    F(
        "demand.gpu_hours_per_month",
        "Extra demand (GPU-h a month)",
        "optfloat",
        "Demand entered directly, on top of the workloads",
        placeholder="0",
    ),
    F("demand.growth_annual", "Demand growth (a year)", "optfloat", FRACTION, placeholder="0"),
    F("demand.peak_factor", "Peak / average load", "optfloat", "1 = flat, up to 2", placeholder="1"),
    F("tornado_fraction", "Tornado ± range", "optfloat", FRACTION, placeholder="0.2"),
    F("notes", "Notes", "text"),
)

METHODS = ("pretrain", "full", "lora", "qlora", "dpo", "ppo", "inference")
WORKLOAD_FIELDS = (
    F("name", "Name", "text"),
    F("model", "Model (catalog)", "combo", "A model architecture from the catalog"),
    F("gpu", "GPU (catalog)", "combo", "The GPU the estimate sizes memory and time for"),
    F("runs_per_month", "Runs per month", "float"),
    F(
        "gpu_hours_per_run",
        "GPU-hours per run",
        "optfloat",
        "Leave empty to derive it from the estimate",
        placeholder="derived from the estimate",
    ),
    F("gpus", "GPUs per run", "int"),
    F("growth_annual", "Growth (a year)", "optfloat", FRACTION, placeholder="0"),
    F("regulated", "Regulated data", "bool", "Must stay on owned hardware"),
    F("pinned_onprem", "Pinned on-premises", "bool", "E.g. low-latency serving"),
    F("estimate.method", "Method", "choice", choices=METHODS, default="full"),
    F("estimate.precision", "Precision", "choice", choices=("bf16", "fp16", "fp32", "fp8"), default="bf16"),
    F(
        "estimate.quant_bits",
        "Quantised weights (bits)",
        "optint",
        "4 or 8 for QLoRA/quantised weights",
        placeholder="none",
    ),
    F("estimate.micro_batch", "Micro-batch", "optint"),
    F("estimate.seq_len", "Sequence length (tokens)", "optint"),
    F("estimate.tokens", "Tokens per run", "optfloat", "Training tokens processed per run"),
    F("estimate.lora_rank", "LoRA rank", "optint"),
    F("estimate.n_gpus", "GPUs in the estimate", "optint"),
    F("estimate.zero_stage", "ZeRO stage", "optint", "DeepSpeed ZeRO stage 0-3"),
    F("estimate.grad_checkpointing", "Gradient checkpointing", "bool"),
    F("estimate.flash_attention", "Flash attention", "bool", default=True),
)

FTE_COST_HINT = f"default: USD {dflt.FTE_COST_USD:,.0f} a year (KORE1 2026)"
FTE_COST_TIP = (
    "Loaded cost per FTE-year. Empty on a staffed option: the default, the "
    + dflt.FTE_COST_SOURCE
    + ", converted to the project currency. 0 stays 0."
)
STAFF_TABLE_TIP = (
    "Adds the staffing table's FTEs for this kind of option (the MLOps stack and staffing estimate of the "
    "project) to the staff above, at the cost per FTE"
)
_BASE_OPTION = (
    F("staff_fte", "Staff (FTE)", "optfloat", placeholder="0"),
    F(
        "fte_cost_annual",
        "Cost per FTE (a year)",
        "optfloat",
        FTE_COST_TIP,
        placeholder="default if staffed",
        hint=FTE_COST_HINT + " when staffed",
    ),
    F("staff_from_table", "Staff from the staffing table", "bool", STAFF_TABLE_TIP),
    F("monthly_fixed", "Fixed cost a month", "optfloat", placeholder="0"),
    F("source_url", "Source URL", "text", "Where the prices come from"),
    F("as_of", "As of", "text", "Date of the prices"),
    F(
        "currency",
        "Price currency",
        "text",
        "ISO code of the prices when not the project's (e.g. USD for catalog rows)",
    ),
    F("notes", "Notes", "text"),
)

CLOUD_FIELDS = (
    F("name", "Option name", "text"),
    F("provider", "Provider", "text"),
    F("sku", "Instance / SKU", "text"),
    F("region", "Region", "text"),
    F("rate_per_hour", "Rate per hour", "float", "Price per instance-hour or GPU-hour (see rate unit)"),
    F("rate_unit", "Rate unit", "choice", choices=("instance", "gpu")),
    F("gpus_per_instance", "GPUs per instance", "optint", placeholder="1"),
    F("pricing", "Pricing model", "choice", choices=PRICING_MODELS, default="on_demand"),
    F("discount", "Discount", "optfloat", FRACTION, placeholder="0"),
    F(
        "committed_instances",
        "Committed instances",
        "optint",
        "Reserved: instances paid whether used or not",
        placeholder="sized to the peak",
    ),
    F("on_demand_rate_per_hour", "On-demand rate above commitment", "optfloat", placeholder="—"),
    F("billing_increment_s", "Billing increment (s)", "optfloat", placeholder="1"),
    F("min_billing_s", "Minimum billing (s)", "optfloat", placeholder="0"),
    F(
        "spot_overhead",
        "Spot overhead",
        "optfloat",
        "Extra run time for restarts, " + FRACTION,
        placeholder="0",
    ),
    F("managed_premium", "Managed-service premium", "optfloat", FRACTION, placeholder="0"),
    F("storage_tb", "Storage (TB)", "optfloat", placeholder="0"),
    F("storage_per_tb_month", "Storage price (per TB-month)", "optfloat", placeholder="0"),
    F("egress_tb_per_month", "Egress (TB a month)", "optfloat", placeholder="0"),
    F("egress_per_tb", "Egress price (per TB)", "optfloat", placeholder="0"),
    F("support_rate", "Support plan", "optfloat", "Fraction of the spend", placeholder="0"),
    F("managed", "Managed ML service", "bool"),
    *_BASE_OPTION,
)

ONPREM_FIELDS = (
    F("name", "Option name", "text"),
    F("vendor", "Vendor", "text"),
    F("quote_ref", "Quote reference", "text"),
    F("servers", "Servers", "int"),
    F("server_price", "Price per server", "float"),
    F("gpus_per_server", "GPUs per server", "int"),
    F(
        "network_fraction",
        "Network (of server capex)",
        "optfloat",
        f"{FRACTION}. Empty with no network capex: the default, {dflt.NETWORK_SOURCE}. 0 stays 0.",
        placeholder=f"default {dflt.NETWORK_FRACTION:.1%}",
        hint=f"default: {dflt.NETWORK_FRACTION:.1%} of server capex (V2PSEO 2026)",
    ),
    F("network_capex", "Network capex", "optfloat", "Itemised network: replaces the default share"),
    F("storage_capex", "Storage capex", "optfloat", placeholder="0"),
    F("lead_time_months", "Lead time (months)", "optint", placeholder="0"),
    F(
        "bridge_option",
        "Bridge with cloud option",
        "text",
        "Name of a cloud option serving demand during the lead time",
    ),
    F("depreciation_months", "Depreciation (months)", "optint", placeholder="36"),
    F("residual_fraction", "Residual value", "optfloat", FRACTION + " of capex", placeholder="0"),
    F(
        "power_kw_per_server",
        "Power per server (kW)",
        "optfloat",
        "Empty: the rated maximum draw of the catalog server platform the option's name, vendor or quote "
        "reference names (e.g. DGX H100). 0 stays 0.",
        placeholder="default from the catalog",
        hint="default: rated draw of the catalog server the option names (e.g. DGX H100)",
    ),
    F("load_factor", "Load factor", "optfloat", "Average draw / max power", placeholder="1"),
    F("idle_power_fraction", "Idle power fraction", "optfloat", placeholder="1"),
    F("pue", "PUE (empty = project's)", "optfloat", placeholder="project value"),
    F(
        "electricity_per_kwh",
        "Electricity per kWh (empty = project's)",
        "optfloat",
        placeholder="project value",
    ),
    F("colo_per_kw_month", "Colocation (per kW-month)", "optfloat", placeholder="0"),
    F("colo_includes_power", "Colocation includes power", "bool"),
    F(
        "maintenance_rate_annual",
        "Maintenance (of capex a year)",
        "optfloat",
        f"{FRACTION}. Empty: the default, {dflt.MAINTENANCE_SOURCE}. 0 stays 0.",
        placeholder=f"default {dflt.MAINTENANCE_RATE:.0%}",
        hint=f"default: {dflt.MAINTENANCE_RATE:.0%} of capex a year (Alpine Blockchain; gpu-tco)",
    ),
    F("opex_annual_per_server", "Other opex per server (a year)", "optfloat", placeholder="0"),
    F("licences_annual", "Licences (a year)", "optfloat", placeholder="0"),
    F("finance_rate_annual", "Finance rate (a year)", "optfloat", placeholder="paid up front"),
    F("finance_months", "Finance term (months)", "optint", placeholder="—"),
    F("air_gapped", "Air-gapped", "bool"),
    F(
        "staff_fte",
        "Staff (FTE)",
        "optfloat",
        "Empty and not from the staffing table: the default, the staffing table's on-premises FTEs for "
        "the project's MLOps stack (0.5 FTE on-call with none chosen), “Model Training, Fine-Tuning & "
        "Experiment Tracking: On-Premises” §9. 0 stays 0.",
        placeholder="default from the staffing table",
        hint="default: staffing table, on-premises row (research note §9)",
    ),
    *_BASE_OPTION[1:],
)

HYBRID_FIELDS = (
    F("name", "Option name", "text"),
    F("optimise_split", "Optimise the owned/cloud split", "bool", default=True),
    *(
        F("onprem." + f.key, "Owned: " + f.label, f.kind, f.tip, f.choices, f.placeholder, f.default, f.hint)
        for f in ONPREM_FIELDS[3:21]
    ),
    *(
        F("burst." + f.key, "Burst: " + f.label, f.kind, f.tip, f.choices, f.placeholder, f.default)
        for f in CLOUD_FIELDS[1:12]
    ),
    *_BASE_OPTION,
)

FIELDS_BY_KIND = {
    "cloud": CLOUD_FIELDS,
    "managed_k8s": CLOUD_FIELDS,
    "onprem": ONPREM_FIELDS,
    "hybrid": HYBRID_FIELDS,
}


def _estimate(method: str, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "method": method,
        "precision": "bf16",
        "micro_batch": 4,
        "seq_len": 2048,
        "grad_checkpointing": True,
        "flash_attention": True,
        "tokens": 1.0e8,
    }
    spec.update(extra)
    return spec


WORKLOAD_TEMPLATES: dict[str, dict[str, Any]] = {
    "Pre-train": {
        "runs_per_month": 0.25,
        "gpus": 64,
        "estimate": _estimate("pretrain", tokens=2.0e10, zero_stage=3, n_gpus=64),
    },
    "Full fine-tune": {"runs_per_month": 2, "gpus": 8, "estimate": _estimate("full", zero_stage=3, n_gpus=8)},
    "LoRA": {"runs_per_month": 4, "gpus": 1, "estimate": _estimate("lora", lora_rank=16)},
    "QLoRA": {"runs_per_month": 4, "gpus": 1, "estimate": _estimate("qlora", lora_rank=16, quant_bits=4)},
    "DPO": {"runs_per_month": 2, "gpus": 8, "estimate": _estimate("dpo", zero_stage=3, n_gpus=8)},
    "PPO": {"runs_per_month": 1, "gpus": 8, "estimate": _estimate("ppo", zero_stage=3, n_gpus=8)},
    "Inference": {
        "runs_per_month": 1,
        "gpus": 1,
        "gpu_hours_per_run": 730.0,
        "estimate": {"method": "inference", "precision": "bf16", "micro_batch": 8, "seq_len": 4096},
    },
}


def workload_from_template(template: str, model: str | None, gpu: str | None, index: int) -> dict[str, Any]:
    """A new workload dict from a template (values written into the file, so the user sees them)."""
    base = WORKLOAD_TEMPLATES[template]
    w: dict[str, Any] = {"name": f"{template} {index}"}
    w.update({k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()})
    if model:
        w["model"] = model
    if gpu:
        w["gpu"] = gpu
    return w


def option_from_cloud_sku(sku: Any, pricing: str = "on_demand") -> dict[str, Any]:
    """A cloud option from a catalog CloudSku (prices, billing, source and date carried over)."""
    rate = {"spot": sku.spot_per_hour, "reserved": sku.reserved_1y_per_hour}.get(
        pricing
    ) or sku.on_demand_per_hour
    kind = "managed_k8s" if str(sku.service_kind).lower() in ("k8s", "kubernetes", "managed_k8s") else "cloud"
    d: dict[str, Any] = {
        "kind": kind,
        "name": f"{sku.provider} {sku.instance} {pricing.replace('_', '-')}",
        "provider": sku.provider,
        "sku": sku.instance,
        "region": sku.region,
        "rate_per_hour": float(rate),
        "rate_unit": sku.rate_unit,
        "gpus_per_instance": int(sku.gpu_count),
        "pricing": pricing,
        "billing_increment_s": float(sku.billing_increment_s),
        "min_billing_s": float(sku.min_billing_s),
        "managed": str(sku.service_kind).lower() not in ("vm", "raw", "instance"),
        "source_url": sku.source_url,
        "as_of": str(sku.as_of),
        "currency": "USD",  # catalog prices are USD: the analysis converts them at the rate of their date
    }
    if sku.storage_per_gb_month:
        d["storage_per_tb_month"] = float(sku.storage_per_gb_month) * 1000.0
    if sku.egress_per_gb:
        d["egress_per_tb"] = float(sku.egress_per_gb) * 1000.0
    return d


def option_from_server(server: Any) -> dict[str, Any]:
    """An on-premises option from a catalog ServerPlatform (one server; price and power carried over).
    A server without a list price gets none: the editor asks for the vendor's quote."""
    d: dict[str, Any] = {
        "kind": "onprem",
        "name": f"On-prem {server.vendor} {server.model}",
        "vendor": server.vendor,
        "servers": 1,
        "gpus_per_server": int(server.gpu_count),
        "power_kw_per_server": float(server.max_power_kw),
        "depreciation_months": 36,
        "source_url": server.source_url,
        "as_of": str(server.as_of),
        "currency": "USD",  # catalog prices are USD: the analysis converts them at the rate of their date
        "notes": f"{server.gpu_count}x {server.gpu_name}; {server.network}",
    }
    if server.list_price_usd:
        d["server_price"] = float(server.list_price_usd)
    else:
        d["notes"] += "; no list price in the catalog: enter the vendor's quote"
    return d


BLANK_OPTIONS: dict[str, dict[str, Any]] = {
    "Cloud (blank)": {
        "kind": "cloud",
        "name": "Cloud",
        "rate_per_hour": 0.0,
        "rate_unit": "gpu",
        "pricing": "on_demand",
    },
    "On-premises (blank)": {
        "kind": "onprem",
        "name": "On-premises",
        "servers": 1,
        "server_price": 0.0,
        "gpus_per_server": 8,
    },
    "Managed Kubernetes (blank)": {
        "kind": "managed_k8s",
        "name": "Managed Kubernetes",
        "rate_per_hour": 0.0,
        "rate_unit": "instance",
        "gpus_per_instance": 8,
    },
    "Hybrid (blank)": {
        "kind": "hybrid",
        "name": "Hybrid",
        "onprem": {"servers": 2, "server_price": 0.0, "gpus_per_server": 8},
        "burst": {"rate_per_hour": 0.0, "rate_unit": "gpu"},
    },
}
