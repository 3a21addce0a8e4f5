"""One description per catalog table: file header, cell parsers, natural key, row class, domain type.

The same parsers read the shipped CSVs and user imports, so shipped data passes the very checks a
consultant's file must pass. Numbers accept the unit the column is in (``80GB`` in ``memory_gb``) and
convert a few unambiguous others (``3.35 TB/s`` -> 3350 GB/s); any other unit is rejected.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import String
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from db.tables import CloudSkuRow, FxRateRow, GpuRow, ModelArchRow, ServerPlatformRow
from db.textnum import TextNumberError, decimal_evidence, parse_money
from planner.catalog import CloudSku, FxRate, Gpu, ModelArch, ServerPlatform
from planner.inputs import BadInput, clean_text


class CellProblem(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


class TextFieldError(ValueError):
    """A text value the database cannot store the same way on SQLite and PostgreSQL (one sentence)."""


def text_problem(value: str, limit: int | None) -> str | None:
    """Why ``value`` cannot be stored in a text column of ``limit`` characters (None: unlimited), or None.

    The one check for every text written to the catalog database, so that what SQLite accepts is what
    PostgreSQL accepts: SQLite ignores a column's length and stores NUL characters, PostgreSQL refuses both.
    The characters refused are those of the input boundary (:func:`planner.inputs.clean_text`: NUL, other
    control characters such as a terminal's ESC, lone surrogates), in its words.
    """
    try:
        clean_text(value, "", max_chars=limit if limit is not None else sys.maxsize)
    except BadInput as exc:
        return exc.message
    return None


def text_limits(row: type[SQLModel]) -> dict[str, int | None]:
    """Text columns of ``row``'s table and their length limits (None for unlimited TEXT columns)."""
    table: Any = row.__table__  # type: ignore[attr-defined]
    limits: dict[str, int | None] = {}
    for column in table.columns:
        if isinstance(column.type, String | AutoString):
            limits[column.name] = column.type.length
    return limits


def check_text_fields(row: type[SQLModel], values: Mapping[str, Any], *, what: str) -> None:
    """TextFieldError naming ``what`` and the field when a text value of ``values`` cannot be stored in
    ``row``'s table (see :func:`text_problem`)."""
    limits = text_limits(row)
    for name, value in values.items():
        if isinstance(value, str) and name in limits:
            problem = text_problem(value, limits[name])
            if problem is not None:
                label = name.replace("_", " ")
                raise TextFieldError(f"{what}: the {label} {problem}")


_NUMBER = re.compile(
    r"^\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+)\s*(.*?)\s*$"
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | float | int | date | bool | url | choice | gpu | currency
    required: bool = True
    units: Mapping[str, float] = field(default_factory=dict)  # accepted suffix -> multiplier (lowercase)
    minimum: float | None = 0.0
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    allow_future: bool = False
    positive: bool = False  # the value must be above zero (a GPU with 0 GB of memory is a typo)
    max_length: int | None = None  # text kinds: the database column's length (set by TableSpec)

    def parse(self, raw: object, today: dt.date) -> Any:
        """The typed value of one cell, or None for an empty optional cell; CellProblem when unreadable."""
        text = "" if raw is None else str(raw).strip()
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if text == "":
            if self.required:
                raise CellProblem("missing value")
            return None
        if self.kind in ("text", "gpu", "url"):
            problem = text_problem(text, self.max_length)
            if problem is not None:
                raise CellProblem(problem)
        if self.kind in ("text", "gpu"):
            return text
        if self.kind == "url":
            if not re.match(r"^(https?://\S+|repo:\S+)", text):
                raise CellProblem(f"not a source URL: {text!r}")
            return text
        if self.kind == "currency":
            if not re.fullmatch(r"[A-Za-z]{3}", text):
                raise CellProblem(f"not a 3-letter currency code: {text!r}")
            return text.upper()
        if self.kind == "choice":
            for choice in self.choices:  # case-insensitive; stored in the canonical spelling
                if text.lower() == choice.lower():
                    return choice
            raise CellProblem(f"{text!r} is not one of {', '.join(self.choices)}")
        if self.kind == "bool":
            low = text.lower()
            if low in ("true", "yes", "1", "y"):
                return True
            if low in ("false", "no", "0", "n"):
                return False
            raise CellProblem(f"not true/false: {text!r}")
        if self.kind == "date":
            return self._date(raw, text, today)
        return self._number(raw, text)

    def _date(self, raw: object, text: str, today: dt.date) -> dt.date:
        if isinstance(raw, dt.date):
            value = raw
        else:
            try:
                value = dt.date.fromisoformat(text[:10])
            except ValueError:
                raise CellProblem(f"not a date (YYYY-MM-DD): {text!r}") from None
        if not self.allow_future and value > today:
            raise CellProblem(f"date {value.isoformat()} is in the future")
        return value

    def _number(self, raw: object, text: str) -> float | int:
        if isinstance(raw, bool):
            raise CellProblem(f"not a number: {text!r}")
        if isinstance(raw, dt.date | dt.time | dt.timedelta):  # a spreadsheet cell formatted as a date
            raise CellProblem(f"expected a number, got a date ({text})")
        if isinstance(raw, int | float):
            value = float(raw)
        else:
            value = self._parse_text_number(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise CellProblem(f"not a finite number: {text!r}")
        if self.minimum is not None and value < self.minimum:
            raise CellProblem(
                f"{_fmt(value)} is negative" if value < 0 else f"{_fmt(value)} is below {_fmt(self.minimum)}"
            )
        if self.positive and value <= 0:
            raise CellProblem(f"{_fmt(value)} must be greater than 0")
        if self.maximum is not None and value > self.maximum:
            raise CellProblem(f"{_fmt(value)} is above {_fmt(self.maximum)}")
        if self.kind == "int":
            if value != int(value):
                raise CellProblem(f"not a whole number: {text!r}")
            return int(value)
        return value

    def _parse_text_number(self, text: str) -> float:
        cleaned = re.sub(r"^(US\$|\$)", "", text.replace("\u00a0", " ").strip())
        comma_decimal(text)
        match = _NUMBER.match(cleaned)
        if not match:
            raise CellProblem(f"not a number: {text!r}")
        number = float(match.group(1).replace(",", ""))
        unit = match.group(2).strip().lower().replace(" ", "")
        if unit == "":
            return number
        if unit == "%" and "%" in self.units:
            return number * self.units["%"]
        if unit in self.units:
            return number * self.units[unit]
        expected = ", ".join(u for u in self.units) or "a plain number"
        raise CellProblem(f"unknown unit {match.group(2).strip()!r} (expected {expected})")


def comma_decimal(text: str) -> None:
    """Refuse, in one sentence, a number written with a decimal comma (``12,5``, ``1.234,56``): catalog
    files are read with a decimal point, and the comma must never be dropped (12,5 read as 125)."""
    if decimal_evidence(text) != ",":
        return
    try:
        value = f"{parse_money(text, ',').value:f}"
    except TextNumberError:
        value = ""
    hint = f": write {value}" if value else ""
    raise CellProblem(f"{text.strip()!r} has a decimal comma; catalog files take a decimal point{hint}")


def _fmt(value: float) -> str:
    return f"{value:g}"


USD = {"usd": 1.0}
PER_HOUR = {"usd": 1.0, "/h": 1.0, "/hr": 1.0, "usd/h": 1.0, "/hour": 1.0, "usd/hr": 1.0}
GB = {"gb": 1.0}
FRACTION = {"%": 0.01}
FORM_FACTORS = ("SXM", "PCIe", "OAM", "NVL", "consumer", "module", "superchip", "TPU")
"""GPU packaging: SXM/OAM mezzanine boards, PCIe cards, NVL (NVLink-bridged PCIe pairs), consumer cards,
modules (e.g. Jetson), superchips (GH200: CPU + GPU on one board), TPU (a Cloud TPU chip, rented only
as a TPU VM with a fixed number of chips per host)."""


def _c(name: str, kind: str = "float", **kw: Any) -> Column:
    return Column(name, kind, **kw)


@dataclass(frozen=True)
class TableSpec:
    name: str  # the CLI / import name: gpus, servers, cloud, models, fx
    row: type[SQLModel]
    domain: type
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    extra: tuple[str, ...] = ("notes",)  # row-only columns kept in files (not in the domain type)

    def __post_init__(self) -> None:
        # text cells are checked against their database column's length here, before anything is written
        limits = text_limits(self.row)
        sized = tuple(
            replace(c, max_length=limits.get(c.name)) if c.kind in ("text", "gpu", "url") else c
            for c in self.columns
        )
        object.__setattr__(self, "columns", sized)

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_domain(self, values: Mapping[str, Any]) -> Any:
        domain_fields = [c.name for c in self.columns if c.name not in self.extra] + ["origin"]
        return self.domain(**{k: values[k] for k in domain_fields})


_SRC = (_c("source_url", "url"), _c("as_of", "date"))
_NOTES = _c("notes", "text", required=False)

GPUS = TableSpec(
    "gpus",
    GpuRow,
    Gpu,
    (
        _c("vendor", "text"),
        _c("name", "text"),
        _c("form_factor", "choice", choices=FORM_FACTORS),
        _c("memory_gb", units=GB | {"gib": 1.073741824}, positive=True),
        _c("memory_bandwidth_gbs", units={"gb/s": 1.0, "tb/s": 1000.0}, positive=True),
        _c("bf16_dense_tflops", units={"tflops": 1.0, "pflops": 1000.0}, positive=True),
        _c("fp8_dense_tflops", required=False, units={"tflops": 1.0, "pflops": 1000.0}, positive=True),
        _c("tdp_w", required=False, units={"w": 1.0, "kw": 1000.0}, positive=True),
        _c("interconnect", "text"),
        _c("interconnect_gbs", units={"gb/s": 1.0, "tb/s": 1000.0}, positive=True),
        _c("chips_per_host", "int", required=False, minimum=1),
        _c("price_low_usd", required=False, units=USD, positive=True),
        _c("price_high_usd", required=False, units=USD, positive=True),
        *_SRC,
        _NOTES,
    ),
    ("vendor", "name"),
)

SERVERS = TableSpec(
    "servers",
    ServerPlatformRow,
    ServerPlatform,
    (
        _c("vendor", "text"),
        _c("model", "text"),
        _c("gpu_name", "gpu"),
        _c("gpu_count", "int", minimum=1),
        _c("cpu", "text"),
        _c("ram_gb", units=GB | {"tb": 1000.0}, positive=True),
        _c("nvme_tb", units={"tb": 1.0}),
        _c("network", "text"),
        _c("max_power_kw", units={"kw": 1.0, "w": 0.001}, positive=True),
        _c("list_price_usd", required=False, units=USD, positive=True),
        *_SRC,
        _NOTES,
    ),
    ("vendor", "model"),
)

CLOUD = TableSpec(
    "cloud",
    CloudSkuRow,
    CloudSku,
    (
        _c("provider", "text"),
        _c("service_kind", "choice", choices=("iaas_vm", "managed_training", "gpu_cloud")),
        _c("instance", "text"),
        _c("region", "text"),
        _c("gpu_name", "gpu"),
        _c("gpu_count", "int", minimum=1),
        _c("vcpu", "int", required=False, minimum=1),
        _c("ram_gb", required=False, units=GB | {"gib": 1.073741824}, positive=True),
        _c("rate_unit", "choice", choices=("instance", "gpu")),
        _c("on_demand_per_hour", units=PER_HOUR, positive=True),
        _c("spot_per_hour", required=False, units=PER_HOUR, positive=True),
        _c("reserved_1y_per_hour", required=False, units=PER_HOUR, positive=True),
        _c("reserved_3y_per_hour", required=False, units=PER_HOUR, positive=True),
        _c("max_savings_plan_discount", required=False, units=FRACTION, maximum=1.0),
        _c("billing_increment_s", "int", minimum=1, units={"s": 1.0, "min": 60.0, "h": 3600.0}),
        _c("min_billing_s", "int", units={"s": 1.0, "min": 60.0, "h": 3600.0}),
        _c("managed_premium", units=FRACTION),
        _c("storage_per_gb_month", required=False, units=USD),
        _c("egress_per_gb", required=False, units=USD),
        *_SRC,
        _NOTES,
    ),
    ("provider", "instance", "region", "service_kind"),
)

MODELS = TableSpec(
    "models",
    ModelArchRow,
    ModelArch,
    (
        _c("name", "text"),
        _c("params_b", minimum=0.001, units={"b": 1.0}),
        _c("layers", "int", minimum=1),
        _c("hidden", "int", minimum=1),
        _c("heads", "int", minimum=1),
        _c("kv_heads", "int", minimum=1),
        _c("head_dim", "int", minimum=1),
        _c("vocab", "int", minimum=1),
        _c("intermediate", "int", minimum=1),
        _c("mlp", "choice", choices=("gated", "plain")),
        _c("tied_embeddings", "bool"),
        _c("experts", "int", minimum=1),
        _c("experts_per_token", "int", minimum=1),
        _c("active_params_b", required=False, units={"b": 1.0}, positive=True),
        _c("source_url", "url"),
        _c("as_of", "date", required=False),
        _NOTES,
    ),
    ("name",),
)

FX = TableSpec(
    "fx",
    FxRateRow,
    FxRate,
    (
        _c("base", "currency"),
        _c("quote", "currency"),
        _c("rate", minimum=1e-9),
        _c("as_of", "date"),
        _c("source_url", "url"),
    ),
    ("base", "quote", "as_of"),
    extra=(),
)

SPECS: dict[str, TableSpec] = {s.name: s for s in (GPUS, SERVERS, CLOUD, MODELS, FX)}
"""In dependency order: GPUs first (servers and cloud SKUs refer to a GPU by name)."""

SPEC_BY_DOMAIN: dict[type, TableSpec] = {s.domain: s for s in SPECS.values()}


def row_values(spec: TableSpec, row: SQLModel) -> dict[str, Any]:
    """Column values of ``row`` (file columns + origin)."""
    return {name: getattr(row, name) for name in [*spec.header, "origin"]}


def to_domain(spec: TableSpec, row: SQLModel) -> Any:
    return spec.to_domain(row_values(spec, row))


Converter = Callable[[SQLModel], Any]
