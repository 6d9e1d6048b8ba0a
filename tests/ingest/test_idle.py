"""Abandoned streams end by themselves, with the final detection pass; they resume cleanly."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import Stream, User
from clippy.ingest.idle import LiveConnections, end_idle_streams, is_idle
from clippy.jobs.segments import SegmentRunner
from tests.fixtures.app import register_user
from tests.ingest.test_ws_ingest import ingest, send

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=15)


def test_idle_counts_from_the_last_sign_of_life() -> None:
    late = T0 + timedelta(minutes=20)
    assert is_idle(T0, (None, None), late, TIMEOUT)
    assert not is_idle(T0, (T0 + timedelta(minutes=10), None), late, TIMEOUT)  # a segment
    assert not is_idle(T0, (None, T0 + timedelta(minutes=6)), late, TIMEOUT)  # left at 12:06
    assert not is_idle(T0, (), T0 + TIMEOUT, TIMEOUT)  # exactly the timeout: not yet


def _live_stream(factory: sessionmaker[Session], name: str) -> int:
    with factory() as s:
        user = User(email=f"{name}@example.test", password_hash="x")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id=name, started_at=T0)
        s.add(stream)
        s.commit()
        return int(stream.id)


def _status(factory: sessionmaker[Session], stream_id: int) -> str:
    with factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None
        return stream.status


def test_a_client_on_another_node_keeps_its_stream_live(
    session_factory: sessionmaker[Session],
) -> None:
    """Two nodes on one database: each sees only its own sockets, and neither ends a stream
    whose client is connected to the other; once that node is gone, the other ends it."""
    held = _live_stream(session_factory, "held")
    quiet = _live_stream(session_factory, "quiet")
    node_a, node_b = LiveConnections(), LiveConnections()
    node_a.opened(held)  # the client of "held" is connected to node A; nobody holds "quiet"

    # Both nodes check every 30 s; 20 minutes pass without a segment.
    t = T0
    while t < T0 + timedelta(minutes=20):
        t += timedelta(seconds=30)
        assert held not in end_idle_streams(session_factory, TIMEOUT, node_a, now=t)
        assert held not in end_idle_streams(session_factory, TIMEOUT, node_b, now=t)
    assert _status(session_factory, held) == "live"
    assert _status(session_factory, quiet) == "ended"  # 15 minutes after its start

    # Node A dies (it stops checking, so it stops stamping): node B ends the stream one
    # timeout after A's last stamp, not before.
    last_stamp = t
    assert end_idle_streams(session_factory, TIMEOUT, node_b, now=last_stamp + TIMEOUT) == []
    later = last_stamp + TIMEOUT + timedelta(seconds=30)
    assert end_idle_streams(session_factory, TIMEOUT, node_b, now=later) == [held]
    assert _status(session_factory, held) == "ended"


def _wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_a_vanished_client_ends_its_stream_with_the_final_pass(
    make_client: Callable[..., TestClient],
    webm_segments: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finals: list[int] = []
    detect = SegmentRunner.detect

    async def recording_detect(self: SegmentRunner, stream_id: int, *, final: bool = False) -> Any:
        if final:
            finals.append(stream_id)
        return await detect(self, stream_id, final=final)

    monkeypatch.setattr(SegmentRunner, "detect", recording_detect)
    client = make_client(
        pipeline_enabled=True,
        transcriber="none",
        stream_idle_timeout_seconds=1.5,
        stream_idle_check_seconds=0.1,
    )
    factory = client.app.state.ctx.session_factory  # type: ignore[attr-defined]

    def status(stream_id: int) -> str:
        with factory() as s:
            stream = s.get(Stream, stream_id)
            assert stream is not None
            return stream.status

    token = register_user(client, "a@example.test")
    with ingest(client, token, "tab") as (ws, started):
        stream_id = started["stream_id"]
        assert send(ws, 0, 0.0, webm_segments[0].path.read_bytes())["type"] == "ack"
        time.sleep(3.0)  # connected, if quiet: never ended under the client's feet
        assert status(stream_id) == "live"
    # The tab closed without "stop".
    assert _wait_for(lambda: status(stream_id) == "ended", 30.0)
    assert _wait_for(lambda: stream_id in finals, 120.0), "no final detection pass ran"

    # The same client stream id later resumes the same stream, cleanly.
    with ingest(client, token, "tab") as (ws, started):
        assert started["stream_id"] == stream_id and started["acked"] == [[0, 0]]
        assert status(stream_id) == "live"
        assert send(ws, 1, 10.0, webm_segments[1].path.read_bytes())["type"] == "ack"
        ws.send_json({"type": "stop"})
        assert ws.receive_json()["type"] == "stopped"
    with factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None and stream.status == "ended" and stream.ended_at is not None
