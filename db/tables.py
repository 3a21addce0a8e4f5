"""SQLModel tables of the catalog and of saved projects. Rows never leave ``db/``: see :mod:`db.catalog`.

Every catalog row carries ``source_url``, ``as_of`` and ``origin`` ("shipped", "user" or "imported").
Natural keys (unique, used for upserts): gpus vendor+name (name alone is unique too: other tables refer
to a GPU by name); servers vendor+model; cloud provider+instance+region+service_kind; models name;
fx base+quote+as_of.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class GpuRow(SQLModel, table=True):
    __tablename__ = "gpus"
    __table_args__ = (UniqueConstraint("vendor", "name", name="uq_gpus_vendor_name"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor: str = Field(max_length=64)
    name: str = Field(max_length=128, unique=True)
    form_factor: str = Field(max_length=64)
    memory_gb: float
    memory_bandwidth_gbs: float
    bf16_dense_tflops: float
    fp8_dense_tflops: float | None = None
    tdp_w: float | None = None  # None: the vendor publishes no power figure (Cloud TPUs)
    interconnect: str = Field(max_length=128)
    interconnect_gbs: float
    chips_per_host: int | None = None  # accelerators per host machine where fixed (Cloud TPU VMs)
    price_low_usd: float | None = None
    price_high_usd: float | None = None
    source_url: str = Field(sa_column=Column(Text, nullable=False))
    as_of: dt.date
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    origin: str = Field(default="shipped", max_length=16, index=True)


class ServerPlatformRow(SQLModel, table=True):
    __tablename__ = "servers"
    __table_args__ = (UniqueConstraint("vendor", "model", name="uq_servers_vendor_model"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor: str = Field(max_length=64)
    model: str = Field(max_length=128)
    gpu_name: str = Field(
        sa_column=Column(String(128), ForeignKey("gpus.name", onupdate="CASCADE"), nullable=False)
    )
    gpu_count: int
    cpu: str = Field(max_length=128)
    ram_gb: float
    nvme_tb: float
    network: str = Field(max_length=128)
    max_power_kw: float
    list_price_usd: float | None = None
    source_url: str = Field(sa_column=Column(Text, nullable=False))
    as_of: dt.date
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    origin: str = Field(default="shipped", max_length=16, index=True)


class CloudSkuRow(SQLModel, table=True):
    __tablename__ = "cloud_skus"
    __table_args__ = (
        UniqueConstraint("provider", "instance", "region", "service_kind", name="uq_cloud_skus_natural"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=64)
    service_kind: str = Field(max_length=32)
    instance: str = Field(max_length=128)
    region: str = Field(max_length=64)
    gpu_name: str = Field(
        sa_column=Column(String(128), ForeignKey("gpus.name", onupdate="CASCADE"), nullable=False)
    )
    gpu_count: int
    vcpu: int | None = None
    ram_gb: float | None = None
    rate_unit: str = Field(max_length=16)
    on_demand_per_hour: float
    spot_per_hour: float | None = None
    reserved_1y_per_hour: float | None = None
    reserved_3y_per_hour: float | None = None
    max_savings_plan_discount: float | None = None
    billing_increment_s: int = 1
    min_billing_s: int = 0
    managed_premium: float = 0.0
    storage_per_gb_month: float | None = None
    egress_per_gb: float | None = None
    source_url: str = Field(sa_column=Column(Text, nullable=False))
    as_of: dt.date
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    origin: str = Field(default="shipped", max_length=16, index=True)


class ModelArchRow(SQLModel, table=True):
    __tablename__ = "model_archs"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    params_b: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    intermediate: int
    mlp: str = Field(default="gated", max_length=16)
    tied_embeddings: bool = False
    experts: int = 1
    experts_per_token: int = 1
    active_params_b: float | None = None
    source_url: str = Field(sa_column=Column(Text, nullable=False))
    as_of: dt.date | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    origin: str = Field(default="shipped", max_length=16, index=True)


class FxRateRow(SQLModel, table=True):
    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("base", "quote", "as_of", name="uq_fx_rates_pair_date"),)

    id: int | None = Field(default=None, primary_key=True)
    base: str = Field(max_length=3)
    quote: str = Field(max_length=3)
    rate: float
    as_of: dt.date
    source_url: str = Field(sa_column=Column(Text, nullable=False))
    origin: str = Field(default="shipped", max_length=16, index=True)


class ProjectRow(SQLModel, table=True):
    """A saved project: ``payload`` is the JSON text of the project file (planner.project format).
    ``revision`` counts saves (a save names the revision it started from and is refused if another was
    saved since); ``saved_by`` is who saved last, as user@host."""

    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    client: str = Field(default="", max_length=200)
    updated_at: dt.datetime
    format_version: int = 1
    payload: str = Field(sa_column=Column(Text, nullable=False))
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    saved_by: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})


class CatalogMetaRow(SQLModel, table=True):
    """Key/value facts about the database itself (e.g. the fingerprint of the shipped catalog it holds)."""

    __tablename__ = "catalog_meta"

    key: str = Field(max_length=64, primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))


class PriceHistoryRow(SQLModel, table=True):
    """One price of one catalog item on one date: every change is kept (value, as-of, source).

    ``item_key`` is the row's natural key joined with " | " (cloud: provider | instance | region |
    service_kind); ``pricing`` names the price (on_demand, spot, reserved_1y, reserved_3y for cloud
    SKUs; price_low, price_high for GPUs; list for servers). Amounts are in ``currency`` (ISO 4217).
    """

    __tablename__ = "price_history"
    __table_args__ = (
        UniqueConstraint("table_name", "item_key", "pricing", "as_of", name="uq_price_history_point"),
    )

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=16)
    item_key: str = Field(sa_column=Column(Text, nullable=False))
    pricing: str = Field(max_length=24)
    value: float
    currency: str = Field(default="USD", max_length=3)
    as_of: dt.date
    source: str = Field(sa_column=Column(Text, nullable=False))
