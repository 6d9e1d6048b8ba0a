"""Schemathesis against a real server (SQLite and PostgreSQL), authenticated as a Business
user with a stream and a clip: every operation of the OpenAPI document is called with
generated valid and invalid input (bounded examples, fixed seed, a timeout), and the
server must give no 5xx, no status code the document does not declare, no body or content
type that violates it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from clippy.db.models import User
from tests.dashboard.conftest import add_clip, add_stream, add_words
from tests.fixtures.server import ServerProcess, pages_only_server

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
MAX_EXAMPLES = 10
SEED = 16
TIMEOUT_S = 420  # a hung run fails instead of holding CI; a normal one takes ~1-2 min


@pytest.fixture
def server(tmp_path: Path, db_url: str) -> Iterator[ServerProcess]:
    yield from pages_only_server(tmp_path, db_url)


def _seed(srv: ServerProcess, email: str) -> None:
    """A stream with words and a clip, so ids 1 exist and list endpoints return rows."""
    engine = create_engine(srv.database_url)
    with Session(engine) as s:
        user = s.query(User).filter_by(email=email).one()
        stream = add_stream(s, user.id, "Fuzzed stream")
        add_words(s, stream, 2.0, "schema fuzzing finds the edges")
        add_clip(s, stream, 0.0, 12.0, title="Fuzzed clip")
        s.commit()
    engine.dispose()


def run_schemathesis(srv: ServerProcess, token: str, report: Path) -> tuple[int, str]:
    """``st run`` against the server; returns its exit code and its summary output."""
    cmd = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{srv.http}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {token}",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_the_api_conforms_to_its_openapi_document(server: ServerProcess, tmp_path: Path) -> None:
    email = "fuzz@example.com"
    token = server.register(email)["access_token"]
    server.set_plan(email, "business")
    _seed(server, email)
    code, output = run_schemathesis(server, token, tmp_path / "events.ndjson")
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-4000:]
    print(summary)
    assert code == 0, output[-12000:]
    events = [json.loads(line) for line in (tmp_path / "events.ndjson").read_text().splitlines()]
    assert events, "schemathesis reported nothing"
