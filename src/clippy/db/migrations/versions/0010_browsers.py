"""connected browsers (the extension pairs through the dashboard and gets its own key)

Revision ID: 0010_browsers
Revises: 0009_memory
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_browsers"
down_revision = "0009_memory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "browsers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("pair_code", sa.String(length=16), nullable=False),
        sa.Column("claim_hash", sa.String(length=128), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_hash"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("browsers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_browsers_pair_code"), ["pair_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_browsers_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("browsers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browsers_user_id"))
        batch_op.drop_index(batch_op.f("ix_browsers_pair_code"))
    op.drop_table("browsers")
