"""Exports, cancels and webhooks on the procrastinate backend (real PostgreSQL, the app's own
in-process worker): an export queued through the API is rendered by the worker and ends
``done``; one canceled mid-render ends ``canceled`` with its ffmpeg stopped; the
``export.completed`` webhook is delivered by the worker, signed, after a failing first try."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from clippy.accounts.users import set_plan
from clippy.db.models import User, WebhookDelivery
from clippy.webhooks.endpoints import add_endpoint
from clippy.webhooks.transport import SIGNATURE_HEADER, verify
from tests.export.conftest import seed_clip, wait_export
from tests.fixtures.app import auth, procrastinate_client, register_user
from tests.fixtures.webhook_receiver import LOOPBACK, LOOPBACK_ALLOWED, webhook_receiver


@pytest.fixture
def pg_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """An app whose exports and webhooks run as procrastinate jobs, retried quickly."""
    yield from procrastinate_client(
        request,
        tmp_path,
        export_retry_seconds=0.2,
        webhook_backoff_seconds=0.2,
        egress_allow_hosts=LOOPBACK_ALLOWED,
    )


def _ctx(client: TestClient) -> Any:
    return client.app.state.ctx  # type: ignore[attr-defined]


def _jobs_run(client: TestClient) -> dict[str, set[str]]:
    """Task name → the statuses its procrastinate jobs ended in."""
    with _ctx(client).session_factory() as session:
        rows = session.execute(text("SELECT task_name, status FROM procrastinate_jobs")).all()
    out: dict[str, set[str]] = {}
    for task, status in rows:
        out.setdefault(str(task), set()).add(str(status))
    return out


def _ffmpeg_children() -> set[int]:
    """Pids of ffmpeg processes started by this process (the in-process worker's renders)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if name == "ffmpeg" and ppid == os.getpid():
            found.add(int(entry.name))
    return found


def _wait(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def test_an_export_is_rendered_by_the_worker_and_its_webhook_retried_and_signed(
    pg_client: TestClient, pattern_clip: Path
) -> None:
    client = pg_client
    token = register_user(client, "net@example.test")
    clip_id = seed_clip(client, "net@example.test", pattern_clip)
    with webhook_receiver([500]) as rec:
        with _ctx(client).session_factory() as session:
            user = session.scalars(select(User).where(User.email == "net@example.test")).one()
            set_plan(session, user, "business")
            hook = add_endpoint(session, user, rec.url, ["export.completed"], policy=LOOPBACK)
            secret = hook.secret
            session.commit()
        r = client.post(
            f"/api/v1/clips/{clip_id}/exports", headers=auth(token), json={"preset": "shorts"}
        )
        assert r.status_code == 202, r.text
        job = wait_export(client, token, r.json()["id"], ("done", "failed"), timeout=60)
        assert job["status"] == "done", job["error"]
        video = client.get(job["download_url"])
        assert video.status_code == 200 and len(video.content) > 10_000
        calls = rec.wait_for(2)
    assert len(calls) == 2, "the receiver's 500 was not retried"
    bodies = [json.loads(c.body) for c in calls]
    assert bodies[0]["id"] == bodies[1]["id"] and bodies[1]["type"] == "export.completed"
    assert bodies[1]["data"]["export_id"] == job["id"]
    assert all(verify(secret, c.body, c.headers[SIGNATURE_HEADER]) for c in calls)
    with _ctx(client).session_factory() as session:
        row = session.scalars(select(WebhookDelivery)).one()
        assert (row.status, row.attempts, row.status_code) == ("delivered", 2, 200)
    # Each step ran as a procrastinate job (not on a thread of the embedded backend).
    steps = ("clippy.export", "clippy.webhook_fanout", "clippy.webhook_deliver")

    def steps_done() -> bool:
        ran = _jobs_run(client)  # periodic sweeps may be there too
        return all(ran.get(t) == {"succeeded"} for t in steps)

    _wait("the jobs end", steps_done, 5)


def test_an_export_canceled_while_rendering_ends_canceled_and_its_ffmpeg_stops(
    pg_client: TestClient, long_clip: Path
) -> None:
    client = pg_client
    token = register_user(client, "cancel@example.test")
    clip_id = seed_clip(client, "cancel@example.test", long_clip, plan="pro")
    job_id = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(token), json={"preset": "tiktok"}
    ).json()["id"]
    _wait("the worker starts ffmpeg", lambda: bool(_ffmpeg_children()), 30)
    pids = _ffmpeg_children()
    r = client.post(f"/api/v1/exports/{job_id}/cancel", headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    # The worker sees the row (it may run on another node) and kills its render.
    _wait("ffmpeg stops", lambda: not (pids & _ffmpeg_children()), 10)
    _wait(
        "the export job ends", lambda: _jobs_run(client).get("clippy.export") == {"succeeded"}, 10
    )
    job = client.get(f"/api/v1/exports/{job_id}", headers=auth(token)).json()
    assert job["status"] == "canceled" and job["download_url"] is None
    assert list(_ctx(client).store.list("exports/")) == []
