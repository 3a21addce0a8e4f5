"""Quotes as they arrive: customer, taxes apart, import flags; bundle components and notes on lines

Revision ID: 0005_quote_import
Revises: 0004_fx_history
Create Date: 2026-12-03 13:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_quote_import"
down_revision = "0004_fx_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("flags", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_position", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("match_score", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_column("match_score")
        batch_op.drop_column("note")
        batch_op.drop_column("parent_position")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("flags")
        batch_op.drop_column("customer")
