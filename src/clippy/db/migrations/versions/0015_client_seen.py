"""streams.client_seen_at: when a node last held a connection of the stream

Each node's idle check sees only its own sockets; this heartbeat lets every node see that a
client is still connected to some node, so a stream is not ended under another node's client.

Revision ID: 0015_client_seen
Revises: 0014_recordings
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_client_seen"
down_revision = "0014_recordings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("streams") as batch:
        batch.add_column(sa.Column("client_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("streams") as batch:
        batch.drop_column("client_seen_at")
