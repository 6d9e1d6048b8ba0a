"""Migrations when several nodes start at once: each runs ``clippy db upgrade`` on the same
empty PostgreSQL database, as compose or a rolling deploy does."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic.script import ScriptDirectory

from clippy.db.migrate import alembic_config
from tests.fixtures.db import PG_ADMIN_DSN, _pg_url


@pytest.fixture
def empty_pg() -> Iterator[str]:
    """A PostgreSQL database with no schema at all (not the migrated template)."""
    name = f"clippy_race_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield _pg_url(name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def test_nodes_starting_together_all_migrate(empty_pg: str) -> None:
    # Without the advisory lock three of four failed here on tables another one had created.
    env = {**os.environ, "CLIPPY_DATABASE_URL": empty_pg}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "clippy.cli", "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    with psycopg.connect(empty_pg.replace("+psycopg", "")) as conn:
        at = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    assert at == set(ScriptDirectory.from_config(alembic_config(empty_pg)).get_heads())


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve", "--port", "1"]])
def test_unreachable_database_is_one_line(command: list[str]) -> None:
    url = "postgresql+psycopg://clippy:hunter2@127.0.0.1:9/clippy"  # port 9: nothing listens
    done = subprocess.run(
        [sys.executable, "-m", "clippy.cli", *command],
        env={**os.environ, "CLIPPY_DATABASE_URL": url, "CLIPPY_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr  # the password is not printed
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("clippy: database postgresql+psycopg://clippy:***@127.0.0.1:9/clippy")
    assert "refused" in line
