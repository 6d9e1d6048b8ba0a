"""Start-up refusals of the job layer: one clear line, exit 2, before anything starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from clippy.config import Settings
from clippy.jobs import JobSetupError, check_role

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(**{"data_dir": tmp_path, "secret_key": "x" * 40, **kw})  # type: ignore[arg-type]


def test_embedded_defaults_start(tmp_path: Path) -> None:
    check_role(_settings(tmp_path), "serve")
    check_role(_settings(tmp_path, secret_key=""), "serve")  # one node may make its own key


@pytest.mark.parametrize(
    ("kw", "role", "needle"),
    [
        ({"job_backend": "procrastinate"}, "serve", "needs a PostgreSQL CLIPPY_DATABASE_URL"),
        ({}, "worker", "needs CLIPPY_JOB_BACKEND=procrastinate"),
        ({"run_jobs": False}, "serve", "clippy serve --no-worker needs CLIPPY_JOB_BACKEND"),
        (
            {"job_backend": "procrastinate", "database_url": PG},
            "worker",
            "CLIPPY_SHARED_DATA_DIR=1",
        ),
        (
            {"job_backend": "procrastinate", "database_url": PG, "run_jobs": False},
            "serve",
            "set CLIPPY_S3_BUCKET",
        ),
        (
            {"job_backend": "procrastinate", "database_url": PG, "secret_key": ""},
            "worker",
            "set CLIPPY_SECRET_KEY",
        ),
        (
            {
                "job_backend": "procrastinate",
                "database_url": PG,
                "run_jobs": False,
                "secret_key": "",
            },
            "serve",
            "set CLIPPY_SECRET_KEY",
        ),
    ],
)
def test_refusals(tmp_path: Path, kw: dict[str, object], role: str, needle: str) -> None:
    with pytest.raises(JobSetupError, match=re.escape(needle)):
        check_role(_settings(tmp_path, **kw), role)  # type: ignore[arg-type]


def test_a_shared_data_dir_or_s3_lets_several_nodes_start(tmp_path: Path) -> None:
    base = {"job_backend": "procrastinate", "database_url": PG}
    check_role(_settings(tmp_path, shared_data_dir=True, **base), "worker")
    check_role(_settings(tmp_path, s3_bucket="b", run_jobs=False, **base), "serve")
    check_role(_settings(tmp_path, **base), "serve")  # one node running its own jobs


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clippy.cli", *args],
        env={
            **os.environ,
            "CLIPPY_DATA_DIR": str(tmp_path),
            "CLIPPY_SECRET_KEY": "x" * 40,
            "CLIPPY_TRANSCRIBER": "none",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_refuses_with_one_line_and_exit_2(tmp_path: Path) -> None:
    r = _cli(tmp_path, "worker")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "clippy worker needs CLIPPY_JOB_BACKEND=procrastinate" in r.stderr
    r = _cli(tmp_path, "serve", "--no-worker", CLIPPY_JOB_BACKEND="procrastinate")
    assert r.returncode == 2 and "needs a PostgreSQL CLIPPY_DATABASE_URL" in r.stderr, r.stderr
    # No shared key (``serve --no-worker`` is refused by the same check: test_refusals).
    no_key = {"CLIPPY_JOB_BACKEND": "procrastinate", "CLIPPY_DATABASE_URL": PG}
    r = _cli(tmp_path, "worker", **no_key, CLIPPY_SECRET_KEY="")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "several nodes need one signing key: set CLIPPY_SECRET_KEY" in r.stderr
    assert not (tmp_path / "secret.key").exists()  # refused before making a key of its own
    r = _cli(tmp_path, "worker", "--queues", "media,nope")
    assert r.returncode == 2 and "unknown queue(s) nope" in r.stderr, r.stderr
    r = _cli(tmp_path, "worker", "--concurrency", "0")
    assert r.returncode == 2 and "at least 1" in r.stderr, r.stderr
