"""Run Alembic migrations programmatically (``clippy db upgrade`` and server start)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"
# One key for every Clippy process migrating the same PostgreSQL database ("clip" in ASCII).
_MIGRATION_LOCK = 0x636C6970
# Which plugins alembic sets up (logged at INFO as it is imported) is news to nobody.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``database_url``."""
    # Alembic is imported only to migrate: the ``clippy.db`` face re-exports ``upgrade``, and
    # importing alembic logs its plugin setup, which would reach every CLI command's stderr.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database at ``database_url`` up to ``revision``.

    Every server and worker migrates at start, and nodes often start together (compose, a
    rolling deploy): on PostgreSQL they take turns under an advisory lock, so the later ones
    find the schema already at ``revision`` instead of failing on half-created tables.
    """
    from alembic import command

    with _migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextmanager
def _migration_lock(database_url: str) -> Iterator[None]:
    if make_url(database_url).get_backend_name() != "postgresql":
        yield  # SQLite is one node's file: nobody to take turns with
        return
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        # Autocommit: the lock is the session's, and waiting must not hold a transaction open.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                yield
            finally:
                # A connection lost mid-migration took the lock with it; its error is the news.
                with contextlib.suppress(Exception):
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
    finally:
        engine.dispose()
