"""memory: clip ranges from an earlier stream (a callback's setup before its payoff)

Revision ID: 0009_memory
Revises: 0008_chat_badges
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_memory"
down_revision = "0008_chat_badges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip_ranges") as batch:
        batch.add_column(sa.Column("stream_id", sa.Integer(), nullable=True))
        batch.create_index("ix_clip_ranges_stream_id", ["stream_id"])
        batch.create_foreign_key(
            "fk_clip_ranges_stream_id", "streams", ["stream_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("clip_ranges") as batch:
        batch.drop_constraint("fk_clip_ranges_stream_id", type_="foreignkey")
        batch.drop_index("ix_clip_ranges_stream_id")
        batch.drop_column("stream_id")
