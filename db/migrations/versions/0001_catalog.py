"""Catalog tables (gpus, servers, cloud_skus, model_archs, fx_rates), saved projects and catalog_meta

Revision ID: 0001_catalog
Revises: (none)
Create Date: 2026-11-23 12:30:11.463484
"""

# mypy: disable-error-code="attr-defined"
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_meta",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("base", "quote", "as_of", name="uq_fx_rates_pair_date"),
    )
    with op.batch_alter_table("fx_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fx_rates_origin"), ["origin"], unique=False)

    op.create_table(
        "gpus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("form_factor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("memory_gb", sa.Float(), nullable=False),
        sa.Column("memory_bandwidth_gbs", sa.Float(), nullable=False),
        sa.Column("bf16_dense_tflops", sa.Float(), nullable=False),
        sa.Column("fp8_dense_tflops", sa.Float(), nullable=True),
        sa.Column("tdp_w", sa.Float(), nullable=False),
        sa.Column("interconnect", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("interconnect_gbs", sa.Float(), nullable=False),
        sa.Column("price_low_usd", sa.Float(), nullable=True),
        sa.Column("price_high_usd", sa.Float(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("vendor", "name", name="uq_gpus_vendor_name"),
    )
    with op.batch_alter_table("gpus", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gpus_origin"), ["origin"], unique=False)

    op.create_table(
        "model_archs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("params_b", sa.Float(), nullable=False),
        sa.Column("layers", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Integer(), nullable=False),
        sa.Column("heads", sa.Integer(), nullable=False),
        sa.Column("kv_heads", sa.Integer(), nullable=False),
        sa.Column("head_dim", sa.Integer(), nullable=False),
        sa.Column("vocab", sa.Integer(), nullable=False),
        sa.Column("intermediate", sa.Integer(), nullable=False),
        sa.Column("mlp", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("tied_embeddings", sa.Boolean(), nullable=False),
        sa.Column("experts", sa.Integer(), nullable=False),
        sa.Column("experts_per_token", sa.Integer(), nullable=False),
        sa.Column("active_params_b", sa.Float(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("model_archs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_archs_origin"), ["origin"], unique=False)

    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_name"), ["name"], unique=False)

    op.create_table(
        "cloud_skus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("service_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("gpu_name", sa.String(length=128), nullable=False),
        sa.Column("gpu_count", sa.Integer(), nullable=False),
        sa.Column("vcpu", sa.Integer(), nullable=True),
        sa.Column("ram_gb", sa.Float(), nullable=True),
        sa.Column("rate_unit", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("on_demand_per_hour", sa.Float(), nullable=False),
        sa.Column("spot_per_hour", sa.Float(), nullable=True),
        sa.Column("reserved_1y_per_hour", sa.Float(), nullable=True),
        sa.Column("reserved_3y_per_hour", sa.Float(), nullable=True),
        sa.Column("max_savings_plan_discount", sa.Float(), nullable=True),
        sa.Column("billing_increment_s", sa.Integer(), nullable=False),
        sa.Column("min_billing_s", sa.Integer(), nullable=False),
        sa.Column("managed_premium", sa.Float(), nullable=False),
        sa.Column("storage_per_gb_month", sa.Float(), nullable=True),
        sa.Column("egress_per_gb", sa.Float(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["gpu_name"], ["gpus.name"], onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "instance", "region", "service_kind", name="uq_cloud_skus_natural"),
    )
    with op.batch_alter_table("cloud_skus", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cloud_skus_origin"), ["origin"], unique=False)

    op.create_table(
        "servers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("gpu_name", sa.String(length=128), nullable=False),
        sa.Column("gpu_count", sa.Integer(), nullable=False),
        sa.Column("cpu", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("ram_gb", sa.Float(), nullable=False),
        sa.Column("nvme_tb", sa.Float(), nullable=False),
        sa.Column("network", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("max_power_kw", sa.Float(), nullable=False),
        sa.Column("list_price_usd", sa.Float(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["gpu_name"], ["gpus.name"], onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vendor", "model", name="uq_servers_vendor_model"),
    )
    with op.batch_alter_table("servers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_servers_origin"), ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("servers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_servers_origin"))

    op.drop_table("servers")
    with op.batch_alter_table("cloud_skus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cloud_skus_origin"))

    op.drop_table("cloud_skus")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_name"))

    op.drop_table("projects")
    with op.batch_alter_table("model_archs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_archs_origin"))

    op.drop_table("model_archs")
    with op.batch_alter_table("gpus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gpus_origin"))

    op.drop_table("gpus")
    with op.batch_alter_table("fx_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fx_rates_origin"))

    op.drop_table("fx_rates")
    op.drop_table("catalog_meta")
