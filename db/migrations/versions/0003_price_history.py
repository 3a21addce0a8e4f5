"""Price history (every price of every catalog item, with its as-of date and source); GPUs gain
chips_per_host (TPU hosts) and may leave tdp_w empty (Google publishes no TPU power figure)

Revision ID: 0003_price_history
Revises: 0002_quotes
Create Date: 2026-12-03 13:00:00

Existing rows seed the history with their current prices, so the first refresh after the upgrade
keeps the old value beside the new one.
"""

# mypy: disable-error-code="attr-defined"
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0003_price_history"
down_revision = "0002_quotes"
branch_labels = None
depends_on = None

_SEP = "' | '"
_BACKFILL = {
    "cloud": (
        "cloud_skus",
        f"provider || {_SEP} || instance || {_SEP} || region || {_SEP} || service_kind",
        {
            "on_demand": "on_demand_per_hour",
            "spot": "spot_per_hour",
            "reserved_1y": "reserved_1y_per_hour",
            "reserved_3y": "reserved_3y_per_hour",
        },
    ),
    "gpus": (
        "gpus",
        f"vendor || {_SEP} || name",
        {"price_low": "price_low_usd", "price_high": "price_high_usd"},
    ),
    "servers": ("servers", f"vendor || {_SEP} || model", {"list": "list_price_usd"}),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # the batch rebuild of gpus drops and renames the table that servers and cloud_skus refer to:
        # check those references at commit (against the rebuilt table), not at the DROP
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("gpus", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chips_per_host", sa.Integer(), nullable=True))
        batch_op.alter_column("tdp_w", existing_type=sa.Float(), nullable=True)
    op.create_table(
        "price_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("item_key", sa.Text(), nullable=False),
        sa.Column("pricing", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("table_name", "item_key", "pricing", "as_of", name="uq_price_history_point"),
    )
    for table_name, (table, key, prices) in _BACKFILL.items():
        for pricing, column in prices.items():
            op.execute(
                "INSERT INTO price_history (table_name, item_key, pricing, value, currency, as_of, source) "
                f"SELECT '{table_name}', {key}, '{pricing}', {column}, 'USD', as_of, source_url "
                f"FROM {table} WHERE {column} IS NOT NULL"
            )


def downgrade() -> None:
    op.drop_table("price_history")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("gpus", schema=None) as batch_op:
        batch_op.alter_column("tdp_w", existing_type=sa.Float(), nullable=False)
        batch_op.drop_column("chips_per_host")
