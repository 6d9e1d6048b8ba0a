"""Run Alembic migrations programmatically (``clippy db upgrade`` and server start)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"


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
    """Bring the database at ``database_url`` up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)
