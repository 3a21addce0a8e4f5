"""The project file: what a consultant saves, versions and sends — demand, options, assumptions.

A project is a frozen value (``dataclasses.replace`` builds edited snapshots). ``parse_project`` validates a
JSON-like dict and raises :class:`ProjectError` naming the key and the option at fault; ``Project.to_dict``
writes it back (with ``version``) so that ``parse_project(p.to_dict()) == p``.

Units: money in the project's ``currency`` (USD by default); hours; GPU-hours; kW; kWh; TB (decimal);
months of 730 hours (8,760 h a year / 12) unless ``hours_per_month`` says otherwise. Rates and fractions
are plain fractions (0.12 = 12 %).

Neutral values: a term an explicit option leaves out adds nothing in the engine — 0 money, PUE 1, load
factor 1, per-second billing with no minimum, no staffing beyond ``staff_fte``. Unset (None, not 0) owned
terms — power per server, network, maintenance, staff FTE and the cost per FTE — are filled by the analysis
from sourced values and marked as defaults (planner.analysis.defaults); a 0 the user writes stays 0. Format reference: docs/PROJECT_FORMAT.md.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

from planner.files import write_atomic
from planner.input_paths import expand_path
from planner.inputs import BadInput, check_date_text, clean_tree, loads_json

PROJECT_FORMAT_VERSION = 1
"""Current version of the project file format; a file without ``version`` is read as this version."""

HORIZON_MAX_MONTHS = 84
MAX_PROJECT_BYTES = 10_000_000
"""Largest project file read (10 MB; real projects are a few kilobytes)."""
MAX_OPTIONS = 60
"""Most options one project may compare (each adds a column to every table and a Monte Carlo series)."""
MAX_WORKLOADS = 200
"""Most workloads one project may hold."""
MAX_RANGES = 200
"""Most Monte Carlo input ranges one project may hold."""
MAX_COUNT = 1_000_000
"""Largest whole-number count (servers, GPUs, instances) a project may give."""
NUMBER_LIMIT = 1e15
"""Largest magnitude of any number in a project (10^15: above every price, quantity and budget, far enough
below float64's range that sums and compound growth over the horizon stay finite)."""
MAX_SAMPLES = 100_000
"""Most Monte Carlo samples one analysis may draw."""
MAX_SAMPLE_CELLS = 2_000_000
"""Most Monte Carlo samples × options one analysis may compute (16 MB per result array)."""
MIN_JOB_GPU_HOURS = 1.0 / 3600.0
"""Shortest job run accepted (one GPU-second, in GPU-hours): below it billing rounding is meaningless."""
COMPLIANCE_REGIMES = frozenset({"hipaa", "fedramp", "itar", "classified", "air_gapped"})
DATA_CATEGORIES = frozenset({"health", "defense_technical_data", "classified"})
"""The data categories of resources/compliance/regimes.toml (planner.compliance) a project may declare."""
MLOPS_COMPONENTS = ("fine_tuning", "experiment_tracking", "data_labeling", "model_registry", "hpo")
"""Parts of the MLOps stack an organisation may run (“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9 rows)."""

_CURRENCY_CODES_TEXT = """AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF
    CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD
    HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
    MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"""
CURRENCY_CODES = frozenset(_CURRENCY_CODES_TEXT.split())
"""ISO 4217 codes of the currencies in use in some territory (CLDR territory currencies, Nov 2026)."""
_CURRENCY_RE = re.compile(r"[A-Z]{3}")

Pricing = Literal["on_demand", "spot", "reserved", "savings_plan"]
PRICING_MODELS: tuple[str, ...] = ("on_demand", "spot", "reserved", "savings_plan")
Distribution = Literal["triangular", "uniform"]
FtePoint = Literal["low", "mid", "high"]


class ProjectError(ValueError):
    """Bad project input. ``key`` is the offending key (dotted path), ``option`` the option's name or None."""

    def __init__(self, message: str, *, key: str, option: str | None = None) -> None:
        where = f"option {option!r}: " if option else ""
        super().__init__(f"{where}{key}: {message}")
        self.key = key
        self.option = option
        self.detail = message


# --------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Demand:
    """Directly entered demand: GPU-hours a month at month 1, growing by ``growth_annual`` a year.

    Month m (1-based) demand = ``gpu_hours_per_month`` × (1 + growth_annual)^((m−1)/12) × profile[(m−1) % len].
    ``jobs_per_month`` > 0 turns on per-job billing rounding for cloud options (0 = continuous use);
    ``gpus_per_job`` 0 means one whole instance per job. ``peak_factor`` (1..2) is the within-month peak
    over the average load (1 = flat): it limits how much an owned fleet can absorb. ``regulated_fraction``
    of this demand must stay on-premises.
    """

    gpu_hours_per_month: float = 0.0
    jobs_per_month: float = 0.0
    gpus_per_job: int = 0
    growth_annual: float = 0.0
    peak_factor: float = 1.0
    regulated_fraction: float = 0.0
    monthly_profile: tuple[float, ...] = ()


@dataclass(frozen=True)
class Workload:
    """One workload: ``runs_per_month`` runs of ``gpu_hours_per_run`` GPU-hours on ``gpus`` GPUs each.

    ``gpu_hours_per_run`` may be left None and derived from an estimate spec (``estimate``) for a model
    (``model``: a catalog name resolved by the caller, or ``model_spec``: an embedded model dict) on GPU
    ``gpu``; see :func:`planner.analysis.resolve.resolve_workloads`. ``regulated`` (data under a compliance regime)
    and ``pinned_onprem`` (e.g. low-latency serving) keep the workload on owned hardware in hybrids.
    """

    name: str
    runs_per_month: float = 0.0
    gpu_hours_per_run: float | None = None
    gpus: int = 0
    growth_annual: float = 0.0
    regulated: bool = False
    pinned_onprem: bool = False
    model: str | None = None
    model_spec: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    gpu: str | None = None
    estimate: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def resolved(self) -> bool:
        return self.gpu_hours_per_run is not None


@dataclass(frozen=True)
class _OptionBase:
    kind: ClassVar[str] = ""
    name: str
    staff_fte: float | None = None
    """None: unset — the analysis fills an owned option's from the staffing table (planner.analysis.defaults);
    the engine counts an unset value as 0."""
    fte_cost_annual: float | None = None
    """None: unset — the analysis fills it with a sourced loaded salary when the option is staffed."""
    staff_from_table: bool = False
    monthly_fixed: float = 0.0
    source_url: str = ""
    as_of: str = ""
    notes: str = ""
    currency: str = ""
    """ISO 4217 code of the option's prices (rates, server price, capital, egress, storage, fixed fees) when
    they are not in the project's currency — a catalog row's USD, a vendor's EUR. Empty: the project's.
    Staff and site terms (FTE cost, electricity, colocation) are always in the project's currency."""


@dataclass(frozen=True)
class CloudOption(_OptionBase):
    """Rented compute. ``rate_per_hour`` is per instance-hour or per GPU-hour as ``rate_unit`` says.

    Effective rate = rate × (1 + managed_premium) × (1 − discount). Spot adds ``spot_overhead`` (fraction of
    extra run time for restarts/checkpoints). Reserved: ``committed_instances`` instances are paid 730 h a
    month whether used or not (None = sized to the peak month of demand); usage above the commitment is
    billed at ``on_demand_rate_per_hour`` (required then). Billing: each job run is rounded up to
    ``billing_increment_s`` with a minimum of ``min_billing_s``. Storage TB-month, egress TB (tiered when
    ``egress_tiers`` given, as ((upto_tb or None, price_per_tb), ...)), support plan as a fraction of the
    spend, staff and a fixed monthly amount. ``managed`` marks a managed ML service (SageMaker, Vertex AI,
    Azure ML); ``certifications`` the compliance regimes the offering is certified for (e.g. FedRAMP High
    GovCloud, a HIPAA-eligible private cloud).
    """

    kind: ClassVar[str] = "cloud"
    rate_per_hour: float = 0.0
    rate_unit: Literal["instance", "gpu"] = "gpu"
    gpus_per_instance: int = 1
    pricing: Pricing = "on_demand"
    discount: float = 0.0
    billing_increment_s: float = 1.0
    min_billing_s: float = 0.0
    spot_overhead: float = 0.0
    managed_premium: float = 0.0
    committed_instances: int | None = None
    on_demand_rate_per_hour: float | None = None
    price_trend_annual: float = 0.0
    """Yearly change of the per-use rate (−0.2 = prices fall 20 % a year): month m pays (1 + t)^((m − 1)/12) ×
    the rate. A commitment keeps the rate it was signed at (the plan signs at the month's trended rate)."""
    term_months: int | None = None
    """Reserved: the commitment's term (e.g. 12 or 36) for the plan optimiser (planner.engine.plan); a
    commitment runs its whole term even past the horizon. None: committed for the horizon."""
    storage_tb: float = 0.0
    storage_per_tb_month: float = 0.0
    egress_tb_per_month: float = 0.0
    egress_per_tb: float = 0.0
    egress_tiers: tuple[tuple[float | None, float], ...] = ()
    support_rate: float = 0.0
    managed: bool = False
    provider: str = ""
    sku: str = ""
    region: str = ""
    certifications: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ManagedK8sOption(CloudOption):
    """Self-managed GPU nodes on EKS/AKS/GKE: cloud rates plus the managed-Kubernetes FTE row (“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9)."""

    kind: ClassVar[str] = "managed_k8s"


@dataclass(frozen=True)
class OnPremOption(_OptionBase):
    """Owned hardware. Capex = servers × server_price + network + storage + other (network = itemised
    ``network_capex`` or ``network_fraction`` × server capex). Paid in month 1, or financed at
    ``finance_rate_annual`` over ``finance_months`` (annuity; the balance left at the horizon is paid off in
    the last month). Live after ``lead_time_months`` (demand meanwhile goes to ``bridge_option``, a cloud
    option of the project, if named). Power (kW) = servers × power_kw_per_server × load_factor ×
    (idle_power_fraction + (1 − idle_power_fraction) × utilisation); energy cost = kW × PUE × hours ×
    $/kWh unless the colocation price includes power. Colocation $/kW-month on provisioned IT kW.
    Maintenance = rate × capex a year. Residual value = residual_fraction × capex back in the last month.
    Amortised view: straight-line depreciation of capex × (1 − residual_fraction) over
    ``depreciation_months`` in place of the capex and loan principal.
    ``electricity_per_kwh``/``pue`` None fall back to the project's values.
    """

    kind: ClassVar[str] = "onprem"
    servers: int = 1
    server_price: float = 0.0
    gpus_per_server: int = 8
    network_capex: float | None = None
    network_fraction: float | None = None
    storage_capex: float = 0.0
    other_capex: float = 0.0
    lead_time_months: int = 0
    depreciation_months: int = 36
    residual_fraction: float = 0.0
    power_kw_per_server: float | None = None
    idle_power_fraction: float = 1.0
    load_factor: float = 1.0
    pue: float | None = None
    electricity_per_kwh: float | None = None
    colo_per_kw_month: float = 0.0
    colo_includes_power: bool = False
    maintenance_rate_annual: float | None = None
    opex_annual_per_server: float = 0.0
    licences_annual: float = 0.0
    finance_rate_annual: float | None = None
    finance_months: int | None = None
    bridge_option: str | None = None
    air_gapped: bool = False
    vendor: str = ""
    quote_ref: str = ""

    @property
    def gpus(self) -> int:
        return self.servers * self.gpus_per_server

    @property
    def server_capex(self) -> float:
        """Servers × unit price (currency)."""
        return self.servers * self.server_price

    @property
    def capex(self) -> float:
        """Total up-front capital (currency): servers, network, storage, other."""
        network = (self.network_capex or 0.0) + (self.network_fraction or 0.0) * self.server_capex
        return self.server_capex + network + self.storage_capex + self.other_capex

    @classmethod
    def from_quote(
        cls,
        name: str,
        *,
        capex: float,
        gpus: int,
        power_kw: float,
        servers: int = 1,
        **terms: Any,
    ) -> OnPremOption:
        """Build an option from a vendor quote: total ``capex`` (currency, all servers), ``gpus`` in total,
        ``power_kw`` IT draw in total. Other terms (maintenance, staff, PUE ...) pass through as keywords and
        are validated like a parsed option."""
        if servers < 1 or gpus < servers or gpus % servers:
            raise ProjectError("gpus must be a positive multiple of servers", key="gpus", option=name)
        d = dict(terms)
        d.update(
            kind="onprem",
            name=name,
            servers=servers,
            server_price=capex / servers,
            gpus_per_server=gpus // servers,
            power_kw_per_server=power_kw / servers,
        )
        opt = parse_option(d)
        assert isinstance(opt, OnPremOption)
        return opt


@dataclass(frozen=True)
class HybridOption(_OptionBase):
    """Owned base load plus cloud burst. The engine picks the number of owned servers (0..onprem.servers, at
    least enough for pinned/regulated demand) that minimises the horizon total, unless ``optimise_split`` is
    False (then exactly ``onprem.servers``). Staff/fixed terms of the two parts both count."""

    kind: ClassVar[str] = "hybrid"
    onprem: OnPremOption = field(default_factory=lambda: OnPremOption(name="base"))
    burst: CloudOption = field(default_factory=lambda: CloudOption(name="burst"))
    optimise_split: bool = True


Option = CloudOption | ManagedK8sOption | OnPremOption | HybridOption


@dataclass(frozen=True)
class InputRange:
    """An uncertain input for Monte Carlo and the tornado. ``path``: "electricity_per_kwh", "pue",
    "fte_cost_annual" (all options), "demand.gpu_hours_per_month", "demand.growth_annual",
    "options.NAME.KEY" or "options.*.KEY". ``low``/``high`` absolute values; ``mode`` None = current value."""

    path: str
    low: float
    high: float
    mode: float | None = None
    dist: Distribution = "triangular"


@dataclass(frozen=True)
class Project:
    """A saved plan: who it is for, what demand, which options, under which assumptions."""

    name: str
    currency: str = "USD"
    horizon_months: int = 36
    hours_per_month: float = 730.0
    discount_rate_annual: float = 0.0
    demand: Demand = Demand()
    workloads: tuple[Workload, ...] = ()
    options: tuple[Option, ...] = ()
    client: str = ""
    consultant: str = ""
    organisation: str = ""
    region: str = ""
    electricity_per_kwh: float = 0.0
    pue: float = 1.0
    electricity_escalation_annual: float = 0.0
    """Yearly change of every power price (0.03 = +3 % a year): month m pays (1 + e)^((m − 1)/12) × price."""
    salary_escalation_annual: float = 0.0
    """Yearly change of every staff cost, applied the same way."""
    compliance: frozenset[str] = frozenset()
    country: str = ""
    """Where the client is (ISO 3166-1 alpha-2, e.g. DE): with ``data_categories`` it says which regulations apply."""
    data_categories: frozenset[str] = frozenset()
    """Kinds of regulated data the workloads process (``health``, ``defense_technical_data``, ``classified``)."""
    mlops_team: bool = True
    mlops_stack: tuple[str, ...] = ()
    fte_point: FtePoint = "mid"
    staffing_table: Mapping[str, Mapping[str, tuple[float, float]]] | None = field(
        default=None, compare=False, hash=False
    )
    monte_carlo: tuple[InputRange, ...] = ()
    tornado_fraction: float = 0.2
    scale_threshold_gpus: int = 1000
    notes: str = ""
    version: int = PROJECT_FORMAT_VERSION

    def option(self, name: str) -> Option:
        """The option called ``name`` (KeyError if none)."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the current format version (round-trips through :func:`parse_project`)."""
        return _project_to_dict(self)


# --------------------------------------------------------------------------------------------- parsing


def _keys(cls: type, extra: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls)) | frozenset(extra)


# Keys a project file may hold (exactly what Project.to_dict() writes, plus an option's "kind"); any other
# key is an error, so a typo never silently costs nothing.
_PROJECT_KEYS = _keys(Project)
_DEMAND_KEYS = _keys(Demand)
_WORKLOAD_KEYS = _keys(Workload) - {"model_spec"}  # an embedded model is written under "model"
_RANGE_KEYS = _keys(InputRange)
_TIER_KEYS = frozenset({"upto_tb", "per_tb"})
_CLOUD_KEYS = _keys(CloudOption, ("kind",))
_ONPREM_KEYS = _keys(OnPremOption, ("kind",))
_HYBRID_KEYS = _keys(HybridOption, ("kind",))


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read and validate a project JSON file (UTF-8). Unreadable files raise :class:`ProjectError` (key "file")."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_PROJECT_BYTES:
            raise ProjectError(
                f"{p} is {p.stat().st_size / 1e6:,.1f} MB, more than the {MAX_PROJECT_BYTES / 1e6:g} MB a "
                "project file may hold",
                key="file",
            )
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"file not found: {p}", key="file") from None
    except IsADirectoryError:
        raise ProjectError(f"{p} is a folder, not a project file", key="file") from None
    except UnicodeDecodeError as exc:
        raise ProjectError(
            f"{p} is not UTF-8 text (byte {exc.start}): save the project file as UTF-8 JSON", key="file"
        ) from None
    except PermissionError:
        raise ProjectError(f"no permission to read {p}", key="file") from None
    except OSError as exc:
        raise ProjectError(f"cannot read {p}: {exc.strerror or exc}", key="file") from None
    try:
        data = loads_json(text)
    except BadInput as exc:
        raise ProjectError(exc.message.removeprefix("is "), key="file") from None
    if not isinstance(data, dict):
        raise ProjectError("a project file holds a JSON object", key="file")
    return parse_project(data)


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write ``project`` atomically and durably (temp file + fsync + rename), readable by its owner only."""
    write_atomic(path, json.dumps(project.to_dict(), indent=2, ensure_ascii=False) + "\n")


def parse_project(d: Mapping[str, Any]) -> Project:
    """Validate a project dict and build a :class:`Project`. Raises :class:`ProjectError` on bad input.

    Every string is normalised (NFC) and refused with a NUL, a control character or a lone surrogate; every
    number must be finite and within ±NUMBER_LIMIT (planner.inputs.clean_tree)."""
    if not isinstance(d, Mapping):
        raise ProjectError("a project is a JSON object", key="project")
    try:
        d = clean_tree(d, number_limit=NUMBER_LIMIT)
    except BadInput as exc:
        raise ProjectError(exc.message, key=exc.where) from None
    for key, most in (("options", MAX_OPTIONS), ("workloads", MAX_WORKLOADS), ("monte_carlo", MAX_RANGES)):
        if isinstance(d.get(key), list) and len(d[key]) > most:
            raise ProjectError(f"has {len(d[key]):,} entries; a project may hold at most {most:,}", key=key)
    r = _Reader(d, None, "")
    r.reject_unknown(_PROJECT_KEYS)
    version = r.int_("version", PROJECT_FORMAT_VERSION, lo=1)
    if version > PROJECT_FORMAT_VERSION:
        raise ProjectError(
            f"file format version {version} is newer than this app reads ({PROJECT_FORMAT_VERSION})",
            key="version",
        )
    name = r.str_("name", None)
    horizon = r.int_("horizon_months", None, lo=1, hi=HORIZON_MAX_MONTHS)
    options_raw = d.get("options", [])
    if not isinstance(options_raw, list):
        raise ProjectError("must be a list of options", key="options")
    options = tuple(parse_option(o, index=i) for i, o in enumerate(options_raw))
    names = [o.name for o in options]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ProjectError("option names must be unique", key="name", option=sorted(dup)[0])
    for o in options:
        if isinstance(o, OnPremOption) and o.bridge_option is not None:
            _check_bridge(o, options)
        if isinstance(o, HybridOption) and o.onprem.bridge_option is not None:
            _check_bridge(o.onprem, options, owner=o.name)
    compliance = frozenset(s.lower() for s in r.str_list("compliance"))
    bad = compliance - COMPLIANCE_REGIMES
    if bad:
        raise ProjectError(
            f"unknown regime {sorted(bad)[0]!r} (known: {', '.join(sorted(COMPLIANCE_REGIMES))})",
            key="compliance",
        )
    country = r.str_("country", "").strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise ProjectError(
            f"must be a two-letter country code (ISO 3166-1, e.g. DE, US), got {country!r}", key="country"
        )
    categories = frozenset(s.strip().lower() for s in r.str_list("data_categories"))
    if categories - DATA_CATEGORIES:
        raise ProjectError(
            f"unknown data category {sorted(categories - DATA_CATEGORIES)[0]!r} "
            f"(known: {', '.join(sorted(DATA_CATEGORIES))})",
            key="data_categories",
        )
    stack = tuple(r.str_list("mlops_stack"))
    for comp in stack:
        if comp not in MLOPS_COMPONENTS:
            raise ProjectError(
                f"unknown component {comp!r} (known: {', '.join(MLOPS_COMPONENTS)})", key="mlops_stack"
            )
    fte_point = r.choice("fte_point", "mid", ("low", "mid", "high"))
    workloads_raw = d.get("workloads", [])
    if not isinstance(workloads_raw, list):
        raise ProjectError("must be a list", key="workloads")
    project = Project(
        name=name,
        currency=_currency(r),
        horizon_months=horizon,
        hours_per_month=r.num("hours_per_month", 730.0, lo=1.0, hi=744.0),
        discount_rate_annual=r.num("discount_rate_annual", 0.0, lo=0.0, hi=1.0),
        demand=_parse_demand(d.get("demand", {})),
        workloads=tuple(_parse_workload(w, i) for i, w in enumerate(workloads_raw)),
        options=options,
        client=r.str_("client", ""),
        consultant=r.str_("consultant", ""),
        organisation=r.str_("organisation", ""),
        region=r.str_("region", ""),
        electricity_per_kwh=r.num("electricity_per_kwh", 0.0, lo=0.0),
        pue=r.num("pue", 1.0, lo=1.0, hi=5.0, low_msg="PUE cannot be below 1"),
        electricity_escalation_annual=r.num("electricity_escalation_annual", 0.0, lo=-0.5, hi=1.0),
        salary_escalation_annual=r.num("salary_escalation_annual", 0.0, lo=-0.5, hi=1.0),
        compliance=compliance,
        country=country,
        data_categories=categories,
        mlops_team=r.bool_("mlops_team", True),
        mlops_stack=stack,
        fte_point=fte_point,  # type: ignore[arg-type]
        staffing_table=_parse_staffing_table(d.get("staffing_table")),
        monte_carlo=tuple(_parse_range(x, i) for i, x in enumerate(_list(d, "monte_carlo"))),
        tornado_fraction=r.num("tornado_fraction", 0.2, lo=0.0, hi=1.0),
        scale_threshold_gpus=r.int_("scale_threshold_gpus", 1000, lo=1),
        notes=r.str_("notes", ""),
        version=PROJECT_FORMAT_VERSION,
    )
    if not project.options:
        raise ProjectError("a project needs at least one option", key="options")
    if not project.workloads and project.demand.gpu_hours_per_month <= 0:
        raise ProjectError(
            "demand or workloads is required: give demand.gpu_hours_per_month > 0 or at least one workload",
            key="demand",
        )
    _check_range_paths(project)
    return project


def _currency(r: _Reader) -> str:
    code = r.str_("currency", None)
    if not _CURRENCY_RE.fullmatch(code):
        raise ProjectError(
            f"must be a 3-letter ISO 4217 code in capitals, e.g. USD (got {code!r})", key="currency"
        )
    if code not in CURRENCY_CODES:
        raise ProjectError(f"{code!r} is not an ISO 4217 code of a currency in use", key="currency")
    return code


def check_samples(project: Project, samples: int) -> None:
    """Refuse a Monte Carlo run beyond MAX_SAMPLES or MAX_SAMPLE_CELLS (samples × options) before any
    array is allocated, with the limit in the sentence."""
    if samples < 0:
        raise ProjectError("the number of Monte Carlo samples must be 0 or more", key="samples")
    if samples > MAX_SAMPLES:
        raise ProjectError(
            f"{samples:,} Monte Carlo samples is more than the {MAX_SAMPLES:,} one analysis may draw",
            key="samples",
        )
    cells = samples * max(1, len(project.options))
    if cells > MAX_SAMPLE_CELLS:
        most = MAX_SAMPLE_CELLS // max(1, len(project.options))
        raise ProjectError(
            f"{samples:,} Monte Carlo samples over {len(project.options)} options is {cells:,} sample-options, "
            f"more than the {MAX_SAMPLE_CELLS:,} one analysis may compute (at most {most:,} samples here)",
            key="samples",
        )


def _check_range_paths(project: Project) -> None:
    for i, r in enumerate(project.monte_carlo):
        try:
            expand_path(project, r.path)
        except KeyError:
            raise ProjectError(
                f"unknown input {r.path!r} (e.g. electricity_per_kwh, demand.scale, fte_cost_annual, "
                "options.NAME.rate_per_hour, options.*.server_price)",
                key=f"monte_carlo[{i}].path",
            ) from None


def _check_bridge(o: OnPremOption, options: tuple[Option, ...], owner: str | None = None) -> None:
    target = next((x for x in options if x.name == o.bridge_option), None)
    if not isinstance(target, CloudOption):
        raise ProjectError(
            f"names {o.bridge_option!r}, which is not a cloud option of this project",
            key="bridge_option",
            option=owner or o.name,
        )


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    v = d.get(key, [])
    if v is None:
        return []
    if not isinstance(v, list):
        raise ProjectError("must be a list", key=key)
    return v


_KIND_ALIASES = {
    "cloud": "cloud",
    "onprem": "onprem",
    "on_prem": "onprem",
    "managed_k8s": "managed_k8s",
    "k8s": "managed_k8s",
    "hybrid": "hybrid",
}


def parse_option(d: Any, *, index: int | None = None) -> Option:
    """Validate one option dict (``kind`` cloud | onprem | managed_k8s | hybrid)."""
    label = f"options[{index}]" if index is not None else "option"
    if not isinstance(d, Mapping):
        raise ProjectError("each option is a JSON object", key=label)
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProjectError("every option needs a non-empty 'name'", key=f"{label}.name")
    kind = _KIND_ALIASES.get(str(d.get("kind", "")).lower())
    if kind is None:
        raise ProjectError(
            f"'kind' must be cloud, onprem, managed_k8s or hybrid (got {d.get('kind')!r})",
            key="kind",
            option=name,
        )
    if kind in ("cloud", "managed_k8s"):
        return _parse_cloud(d, name, ManagedK8sOption if kind == "managed_k8s" else CloudOption)
    if kind == "onprem":
        return _parse_onprem(d, name)
    return _parse_hybrid(d, name)


def _base_kwargs(r: _Reader) -> dict[str, Any]:
    return dict(
        staff_fte=r.opt_num("staff_fte", lo=0.0),
        fte_cost_annual=r.opt_num("fte_cost_annual", lo=0.0, money=True),
        staff_from_table=r.bool_("staff_from_table", False),
        monthly_fixed=r.num("monthly_fixed", 0.0, lo=0.0, money=True),
        source_url=r.str_("source_url", ""),
        as_of=r.date_text("as_of"),
        notes=r.str_("notes", ""),
        currency=_option_currency(r),
    )


def _option_currency(r: _Reader) -> str:
    code = r.str_("currency", "")
    if code and not (_CURRENCY_RE.fullmatch(code) and code in CURRENCY_CODES):
        raise r._err("currency", f"must be an ISO 4217 code of a currency in use, e.g. USD (got {code!r})")
    return code


def _parse_cloud(d: Mapping[str, Any], name: str, cls: type[CloudOption], prefix: str = "") -> CloudOption:
    r = _Reader(d, name, prefix)
    r.reject_unknown(_CLOUD_KEYS)
    if "rate_unit" not in d or d["rate_unit"] in (None, ""):
        raise ProjectError(
            "is missing: say whether rate_per_hour is per 'instance'-hour or per 'gpu'-hour",
            key=prefix + "rate_unit",
            option=name,
        )
    unit = r.choice("rate_unit", None, ("instance", "gpu"))
    if unit == "instance" and d.get("gpus_per_instance") is None:
        raise ProjectError(
            "is required when rate_unit is 'instance' (how many GPUs one instance-hour buys; never guessed)",
            key=prefix + "gpus_per_instance",
            option=name,
        )
    pricing = r.choice("pricing", "on_demand", PRICING_MODELS)
    committed = r.opt_int("committed_instances", lo=0)
    od_rate = r.opt_num("on_demand_rate_per_hour", lo=0.0, money=True)
    if pricing == "reserved" and committed is not None and od_rate is None:
        raise ProjectError(
            "is required for a reserved option with committed_instances (usage above the commitment is "
            "billed at it)",
            key=prefix + "on_demand_rate_per_hour",
            option=name,
        )
    tiers_raw = d.get("egress_tiers", [])
    if not isinstance(tiers_raw, list):
        raise ProjectError("must be a list of {upto_tb, per_tb}", key=prefix + "egress_tiers", option=name)
    tiers: list[tuple[float | None, float]] = []
    last = 0.0
    for i, t in enumerate(tiers_raw):
        tr = _Reader(t, name, f"{prefix}egress_tiers[{i}].")
        tr.reject_unknown(_TIER_KEYS)
        upto = tr.opt_num("upto_tb", lo=0.0)
        price = tr.num("per_tb", None, lo=0.0, money=True)
        if upto is not None and upto <= last:
            raise ProjectError("tiers must increase", key=f"{prefix}egress_tiers[{i}].upto_tb", option=name)
        if upto is None and i != len(tiers_raw) - 1:
            raise ProjectError(
                "only the last tier may be open", key=f"{prefix}egress_tiers[{i}]", option=name
            )
        tiers.append((upto, price))
        last = upto if upto is not None else last
    certs = frozenset(s.lower() for s in r.str_list("certifications"))
    return cls(
        name=name,
        **_base_kwargs(r),
        rate_per_hour=r.num("rate_per_hour", None, lo=0.0, money=True),
        rate_unit=unit,  # type: ignore[arg-type]
        gpus_per_instance=r.int_("gpus_per_instance", 1, lo=1),
        pricing=pricing,  # type: ignore[arg-type]
        discount=r.num("discount", 0.0, lo=0.0, hi=1.0, strict_hi=True),
        billing_increment_s=r.num("billing_increment_s", 1.0, lo=0.0, strict_lo=True),
        min_billing_s=r.num("min_billing_s", 0.0, lo=0.0),
        spot_overhead=r.num("spot_overhead", 0.0, lo=0.0, hi=10.0),
        managed_premium=r.num("managed_premium", 0.0, lo=0.0, hi=10.0),
        committed_instances=committed,
        term_months=r.opt_int("term_months", lo=1, hi=120),
        price_trend_annual=r.num("price_trend_annual", 0.0, lo=-0.9, hi=1.0),
        on_demand_rate_per_hour=od_rate,
        storage_tb=r.num("storage_tb", 0.0, lo=0.0),
        storage_per_tb_month=r.num("storage_per_tb_month", 0.0, lo=0.0, money=True),
        egress_tb_per_month=r.num("egress_tb_per_month", 0.0, lo=0.0),
        egress_per_tb=r.num("egress_per_tb", 0.0, lo=0.0, money=True),
        egress_tiers=tuple(tiers),
        support_rate=r.num("support_rate", 0.0, lo=0.0, hi=1.0),
        managed=r.bool_("managed", False),
        provider=r.str_("provider", ""),
        sku=r.str_("sku", ""),
        region=r.str_("region", ""),
        certifications=certs,
    )


def _parse_onprem(d: Mapping[str, Any], name: str, prefix: str = "") -> OnPremOption:
    r = _Reader(d, name, prefix)
    r.reject_unknown(_ONPREM_KEYS)
    dep = r.int_("depreciation_months", 36, lo=1, hi=240)
    fin_rate = r.opt_num("finance_rate_annual", lo=0.0, hi=1.0)
    return OnPremOption(
        name=name,
        **_base_kwargs(r),
        servers=r.int_("servers", 1, lo=1),
        server_price=r.num("server_price", 0.0, lo=0.0, money=True),
        gpus_per_server=r.int_("gpus_per_server", 8, lo=1),
        network_capex=r.opt_num("network_capex", lo=0.0, money=True),
        network_fraction=r.opt_num("network_fraction", lo=0.0, hi=1.0),
        storage_capex=r.num("storage_capex", 0.0, lo=0.0, money=True),
        other_capex=r.num("other_capex", 0.0, lo=0.0, money=True),
        lead_time_months=r.int_("lead_time_months", 0, lo=0, hi=HORIZON_MAX_MONTHS),
        depreciation_months=dep,
        residual_fraction=r.num(
            "residual_fraction", 0.0, lo=0.0, hi=1.0, high_msg="residual value cannot exceed the capex (1.0)"
        ),
        power_kw_per_server=r.opt_num("power_kw_per_server", lo=0.0),
        idle_power_fraction=r.num("idle_power_fraction", 1.0, lo=0.0, hi=1.0),
        load_factor=r.num("load_factor", 1.0, lo=0.0, hi=1.0),
        pue=r.opt_num("pue", lo=1.0, hi=5.0, low_msg="PUE cannot be below 1"),
        electricity_per_kwh=r.opt_num("electricity_per_kwh", lo=0.0, money=True),
        colo_per_kw_month=r.num("colo_per_kw_month", 0.0, lo=0.0, money=True),
        colo_includes_power=r.bool_("colo_includes_power", False),
        maintenance_rate_annual=r.opt_num("maintenance_rate_annual", lo=0.0, hi=1.0),
        opex_annual_per_server=r.num("opex_annual_per_server", 0.0, lo=0.0, money=True),
        licences_annual=r.num("licences_annual", 0.0, lo=0.0, money=True),
        finance_rate_annual=fin_rate,
        finance_months=r.opt_int("finance_months", lo=1, hi=240),
        bridge_option=r.opt_str("bridge_option"),
        air_gapped=r.bool_("air_gapped", False),
        vendor=r.str_("vendor", ""),
        quote_ref=r.str_("quote_ref", ""),
    )


def _parse_hybrid(d: Mapping[str, Any], name: str) -> HybridOption:
    r = _Reader(d, name, "")
    r.reject_unknown(_HYBRID_KEYS)
    on = d.get("onprem")
    burst = d.get("burst")
    if not isinstance(on, Mapping):
        raise ProjectError("a hybrid needs an 'onprem' object (the owned base)", key="onprem", option=name)
    if not isinstance(burst, Mapping):
        raise ProjectError("a hybrid needs a 'burst' object (the cloud part)", key="burst", option=name)
    on_opt = _parse_onprem(on, name, prefix="onprem.")
    burst_opt = _parse_cloud(burst, name, CloudOption, prefix="burst.")
    return HybridOption(
        name=name,
        **_base_kwargs(r),
        onprem=replace(on_opt, name=f"{name} (owned base)"),
        burst=replace(burst_opt, name=f"{name} (cloud burst)"),
        optimise_split=r.bool_("optimise_split", True),
    )


def _parse_demand(d: Any) -> Demand:
    if d is None:
        return Demand()
    if not isinstance(d, Mapping):
        raise ProjectError("must be an object", key="demand")
    r = _Reader(d, None, "demand.")
    r.reject_unknown(_DEMAND_KEYS)
    profile = d.get("monthly_profile", [])
    if not isinstance(profile, list) or any(
        not isinstance(x, int | float) or isinstance(x, bool) or x < 0 for x in profile
    ):
        raise ProjectError("must be a list of non-negative multipliers", key="demand.monthly_profile")
    gpu_hours = r.num("gpu_hours_per_month", 0.0, lo=0.0)
    jobs = r.num("jobs_per_month", 0.0, lo=0.0)
    if jobs > 0 and 0 < gpu_hours / jobs < MIN_JOB_GPU_HOURS:
        raise ProjectError(
            f"gives jobs shorter than one GPU-second ({gpu_hours:g} GPU-hours over {jobs:g} jobs)",
            key="demand.jobs_per_month",
        )
    return Demand(
        gpu_hours_per_month=gpu_hours,
        jobs_per_month=jobs,
        gpus_per_job=r.int_("gpus_per_job", 0, lo=0),
        growth_annual=r.num("growth_annual", 0.0, lo=-0.99, hi=100.0),
        peak_factor=r.num("peak_factor", 1.0, lo=1.0, hi=2.0),
        regulated_fraction=r.num("regulated_fraction", 0.0, lo=0.0, hi=1.0),
        monthly_profile=tuple(float(x) for x in profile),
    )


def _parse_workload(d: Any, i: int) -> Workload:
    if not isinstance(d, Mapping):
        raise ProjectError("each workload is an object", key=f"workloads[{i}]")
    r = _Reader(d, None, f"workloads[{i}].")
    r.reject_unknown(_WORKLOAD_KEYS)
    model = d.get("model")
    model_name = model if isinstance(model, str) else None
    model_spec = model if isinstance(model, Mapping) else None
    if model is not None and model_name is None and model_spec is None:
        raise ProjectError("is a catalog model name or a model object", key=f"workloads[{i}].model")
    est = d.get("estimate")
    if est is not None and not isinstance(est, Mapping):
        raise ProjectError("must be an estimate spec object", key=f"workloads[{i}].estimate")
    w = Workload(
        name=r.str_("name", f"workload {i + 1}"),
        runs_per_month=r.num("runs_per_month", None, lo=0.0),
        gpu_hours_per_run=r.opt_num("gpu_hours_per_run", lo=0.0),
        gpus=r.int_("gpus", 0, lo=0),
        growth_annual=r.num("growth_annual", 0.0, lo=-0.99, hi=100.0),
        regulated=r.bool_("regulated", False),
        pinned_onprem=r.bool_("pinned_onprem", False),
        model=model_name,
        model_spec=dict(model_spec) if model_spec is not None else None,
        gpu=r.opt_str("gpu"),
        estimate=dict(est) if est is not None else None,
    )
    if w.gpu_hours_per_run is not None and 0 < w.gpu_hours_per_run < MIN_JOB_GPU_HOURS:
        raise ProjectError(
            f"a run shorter than one GPU-second (1/3600 GPU-hour) is not billable (got {w.gpu_hours_per_run:g})",
            key=f"workloads[{i}].gpu_hours_per_run",
        )
    if w.gpu_hours_per_run is None and w.estimate is None:
        raise ProjectError(
            "give gpu_hours_per_run or an 'estimate' spec to derive it",
            key=f"workloads[{i}].gpu_hours_per_run",
        )
    return w


def _parse_range(d: Any, i: int) -> InputRange:
    if not isinstance(d, Mapping):
        raise ProjectError("each range is an object", key=f"monte_carlo[{i}]")
    r = _Reader(d, None, f"monte_carlo[{i}].")
    r.reject_unknown(_RANGE_KEYS)
    low = r.num("low", None, lo=-1e12)
    high = r.num("high", None, lo=-1e12)
    mode = r.opt_num("mode", lo=-1e12)
    if high < low:
        raise ProjectError("high is below low", key=f"monte_carlo[{i}].high")
    if mode is not None and not low <= mode <= high:
        raise ProjectError("mode must lie between low and high", key=f"monte_carlo[{i}].mode")
    return InputRange(
        path=r.str_("path", None),
        low=low,
        high=high,
        mode=mode,
        dist=r.choice("dist", "triangular", ("triangular", "uniform")),  # type: ignore[arg-type]
    )


def _parse_staffing_table(d: Any) -> dict[str, dict[str, tuple[float, float]]] | None:
    if d is None:
        return None
    if not isinstance(d, Mapping):
        raise ProjectError("must be an object {model: {component: [low, high]}}", key="staffing_table")
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for model, row in d.items():
        if not isinstance(row, Mapping):
            raise ProjectError("must be an object", key=f"staffing_table.{model}")
        out[str(model)] = {}
        for comp, rng in row.items():
            key = f"staffing_table.{model}.{comp}"
            if (
                not isinstance(rng, list | tuple)
                or len(rng) != 2
                or not all(isinstance(x, int | float) and x >= 0 for x in rng)
                or rng[0] > rng[1]
            ):
                raise ProjectError("must be [low, high] FTE with 0 <= low <= high", key=key)
            out[str(model)][str(comp)] = (float(rng[0]), float(rng[1]))
    return out


class _Reader:
    """Typed access to one JSON object with errors naming the key (with ``prefix``) and the option."""

    def __init__(self, d: Any, option: str | None, prefix: str) -> None:
        if not isinstance(d, Mapping):
            raise ProjectError("must be an object", key=prefix.rstrip(".") or "project", option=option)
        self.d = d
        self.option = option
        self.prefix = prefix

    def reject_unknown(self, allowed: frozenset[str]) -> None:
        """Raise on the first key not in ``allowed``, suggesting the closest known key (difflib)."""
        for key in self.d:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "see docs/PROJECT_FORMAT.md for the keys"
            raise self._err(str(key), f"unknown key — {hint}")

    def _err(self, key: str, msg: str) -> ProjectError:
        return ProjectError(msg, key=self.prefix + key, option=self.option)

    def num(
        self,
        key: str,
        default: float | None,
        *,
        lo: float | None = None,
        hi: float | None = None,
        strict_lo: bool = False,
        strict_hi: bool = False,
        money: bool = False,
        low_msg: str | None = None,
        high_msg: str | None = None,
    ) -> float:
        v = self.d.get(key)
        if v is None:
            if default is None:
                raise self._err(key, "is missing")
            return default
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self._err(key, f"must be a number (got {v!r})")
        x = float(v)
        if lo is not None and (x < lo or (strict_lo and x == lo)):
            if low_msg:
                raise self._err(key, f"{low_msg} (got {x:g})")
            what = (
                "a price cannot be negative"
                if money and lo == 0
                else f"must be {'>' if strict_lo else '>='} {lo:g}"
            )
            raise self._err(key, f"{what} (got {x:g})")
        if hi is not None and (x > hi or (strict_hi and x == hi)):
            raise self._err(
                key, f"{high_msg or ('must be ' + ('<' if strict_hi else '<=') + f' {hi:g}')} (got {x:g})"
            )
        return x

    def opt_num(self, key: str, **kw: Any) -> float | None:
        if self.d.get(key) is None:
            return None
        return self.num(key, None, **kw)

    def int_(
        self, key: str, default: int | None, *, lo: int | None = None, hi: int | None = MAX_COUNT
    ) -> int:
        v = self.d.get(key)
        if v is None:
            if default is None:
                raise self._err(key, "is missing")
            return default
        if isinstance(v, bool) or not isinstance(v, int | float) or not float(v).is_integer():
            raise self._err(key, f"must be a whole number (got {v!r})")
        x = int(v)
        if lo is not None and x < lo:
            raise self._err(key, f"must be >= {lo} (got {x})")
        if hi is not None and x > hi:
            raise self._err(key, f"must be <= {hi} (got {x})")
        return x

    def opt_int(self, key: str, **kw: Any) -> int | None:
        if self.d.get(key) is None:
            return None
        return self.int_(key, None, **kw)

    def str_(self, key: str, default: str | None) -> str:
        v = self.d.get(key)
        if v is None:
            if default is None:
                raise self._err(key, "is missing")
            return default
        if not isinstance(v, str):
            raise self._err(key, f"must be text (got {v!r})")
        if default is None and not v.strip():
            raise self._err(key, "must not be empty")
        return v

    def date_text(self, key: str) -> str:
        """Free text (e.g. "2026-02" or "list price, June 2025") that, when it starts with a date, names a real one."""
        try:
            return check_date_text(self.str_(key, ""), self.prefix + key)
        except BadInput as exc:
            raise self._err(key, exc.message) from None

    def opt_str(self, key: str) -> str | None:
        v = self.d.get(key)
        return None if v is None else self.str_(key, "")

    def bool_(self, key: str, default: bool) -> bool:
        v = self.d.get(key)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self._err(key, f"must be true or false (got {v!r})")
        return v

    def choice(self, key: str, default: str | None, allowed: tuple[str, ...]) -> str:
        v = self.str_(key, default)
        if v not in allowed:
            raise self._err(key, f"must be one of {', '.join(allowed)} (got {v!r})")
        return v

    def str_list(self, key: str) -> list[str]:
        v = self.d.get(key, [])
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self._err(key, "must be a list of text")
        return list(v)


# --------------------------------------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(x) for x in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def option_to_dict(opt: Option) -> dict[str, Any]:
    """An option as written in the project file."""
    out: dict[str, Any] = {"kind": opt.kind}
    for f in fields(opt):
        value = getattr(opt, f.name)
        if isinstance(opt, HybridOption) and f.name in ("onprem", "burst"):
            sub = option_to_dict(value)
            sub.pop("kind")
            sub.pop("name")
            out[f.name] = sub
        elif f.name == "egress_tiers":
            out[f.name] = [{"upto_tb": u, "per_tb": p} for u, p in value]
        elif value is not None:
            out[f.name] = _plain(value)
    return out


def _project_to_dict(p: Project) -> dict[str, Any]:
    out: dict[str, Any] = {"version": PROJECT_FORMAT_VERSION}
    for f in fields(p):
        if f.name == "version":
            continue
        value = getattr(p, f.name)
        if f.name == "options":
            out["options"] = [option_to_dict(o) for o in value]
        elif f.name == "demand":
            out["demand"] = {g.name: _plain(getattr(value, g.name)) for g in fields(value)}
        elif f.name == "workloads":
            out["workloads"] = [_workload_to_dict(w) for w in value]
        elif f.name == "monte_carlo":
            out["monte_carlo"] = [{k: v for k, v in _plain(vars(x)).items() if v is not None} for x in value]
        elif value is not None:
            out[f.name] = _plain(value)
    return out


def _workload_to_dict(w: Workload) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(w):
        value = getattr(w, f.name)
        if f.name == "model_spec":
            continue
        if f.name == "model":
            value = w.model if w.model is not None else (dict(w.model_spec) if w.model_spec else None)
        if value is not None:
            out[f.name] = _plain(value)
    return out
