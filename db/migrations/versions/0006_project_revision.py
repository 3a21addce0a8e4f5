"""Saved projects carry a revision and who saved them (optimistic locking: a stale save is refused)

Revision ID: 0006_project_revision
Revises: 0005_quote_import
Create Date: 2026-12-03 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0006_project_revision"
down_revision = "0005_quote_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("saved_by", sa.String(length=200), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("saved_by")
        batch_op.drop_column("revision")
