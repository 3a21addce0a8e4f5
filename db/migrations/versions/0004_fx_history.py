"""ECB euro reference rates imported from ECB files (fx_history)

Revision ID: 0004_fx_history
Revises: 0003_price_history
Create Date: 2026-12-03 13:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_fx_history"
down_revision = "0003_price_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fx_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("per_eur", sa.Float(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("currency", "as_of", name="uq_fx_history_currency_date"),
    )
    with op.batch_alter_table("fx_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fx_history_as_of"), ["as_of"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fx_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fx_history_as_of"))
    op.drop_table("fx_history")
