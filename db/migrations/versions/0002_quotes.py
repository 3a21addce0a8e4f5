"""Vendor quotes: quotes, quote_lines (matched to servers/gpus), vendor_mappings

Revision ID: 0002_quotes
Revises: 0001_catalog
Create Date: 2026-11-23 12:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_quotes"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("quote_number", sa.String(length=100), nullable=False),
        sa.Column("quote_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("incoterms", sa.String(length=100), nullable=False),
        sa.Column("payment_terms", sa.String(length=200), nullable=False),
        sa.Column("lead_time_weeks", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("fx_base", sa.String(length=3), nullable=True),
        sa.Column("fx_quote", sa.String(length=3), nullable=True),
        sa.Column("fx_rate", sa.Float(), nullable=True),
        sa.Column("fx_as_of", sa.Date(), nullable=True),
        sa.Column("fx_source_url", sa.Text(), server_default="", nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_vendor"), ["vendor"], unique=False)

    op.create_table(
        "vendor_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vendor"),
    )
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("part_number", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("support_years", sa.Float(), nullable=True),
        sa.Column("server_id", sa.Integer(), nullable=True),
        sa.Column("gpu_id", sa.Integer(), nullable=True),
        sa.Column("match_confirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["quote_id"], ["quotes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["server_id"], ["servers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["gpu_id"], ["gpus.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_lines_quote_id"), ["quote_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_lines_quote_id"))

    op.drop_table("quote_lines")
    op.drop_table("vendor_mappings")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_vendor"))

    op.drop_table("quotes")
