"""stored tsvector columns for PostgreSQL full-text search (clips and transcript chunks)

Revision ID: 0006_search_vectors
Revises: 0004_clip_search
Create Date: 2026-11-25

The expression indexes of 0002/0004 are used only when the planner picks them. For a word in
a tenth of the clips it estimates a sequential scan is cheaper, and then runs to_tsvector on
every row: 0.6-1.2 s at 10 000 clips (measured with benchmarks/dashboard_bench.py), and ranking
transcript hits recomputed it per match too. A stored generated column costs one computation
per write, and a scan over it is cheap whichever plan is chosen. SQLite keeps its FTS5 tables.
"""

from __future__ import annotations

from alembic import op

revision = "0006_search_vectors"
down_revision = "0004_clip_search"
branch_labels = None
depends_on = None

# (table, text column, new vector column, old expression index, new index)
_VECTORS = (
    ("clips", "transcript_text", "transcript_tsv", "ix_clip_fts", "ix_clips_transcript_tsv"),
    ("transcript_segments", "text", "text_tsv", "ix_transcript_fts", "ix_transcript_text_tsv"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, source, column, old_index, new_index in _VECTORS:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english', {source})) STORED"
        )
        op.execute(f"CREATE INDEX {new_index} ON {table} USING gin ({column})")
        op.execute(f"DROP INDEX IF EXISTS {old_index}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, source, column, old_index, new_index in _VECTORS:
        op.execute(
            f"CREATE INDEX {old_index} ON {table} USING gin (to_tsvector('english', {source}))"
        )
        op.execute(f"DROP INDEX IF EXISTS {new_index}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
