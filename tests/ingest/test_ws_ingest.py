"""WebSocket ingest against the real app (in process) on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from clippy.accounts.browsers import approve_pairing, list_browsers, revoke_browser
from clippy.db.models import ChatMessage, Segment, TranscriptSegment, UsageCounter, User
from clippy.ingest.protocol import encode_segment_frame
from tests.fixtures.app import auth, register_user


@contextmanager
def ingest(
    client: TestClient, token: str, stream_id: str = "s1"
) -> Iterator[tuple[WebSocketTestSession, dict[str, Any]]]:
    """An authenticated ingest socket with a started stream."""
    with client.websocket_connect("/ws/ingest") as ws:
        ws.send_json({"type": "hello", "protocol": 1, "token": token})
        assert ws.receive_json()["type"] == "welcome"
        ws.send_json(
            {
                "type": "start",
                "stream_id": stream_id,
                "title": "Test stream",
                "page_url": "https://example.test/live",
                "platform": "test",
                "video_region": {"x": 0, "y": 40, "width": 640, "height": 360},
            }
        )
        started = ws.receive_json()
        assert started["type"] == "started", started
        yield ws, started


def send(
    ws: WebSocketTestSession, seq: int, start: float, data: bytes, duration: float = 10.0
) -> dict[str, Any]:
    """Send one segment frame and return the server's reply."""
    header = {"seq": seq, "start": start, "duration": duration, "mime": "video/webm"}
    ws.send_bytes(encode_segment_frame(header, data))
    reply: dict[str, Any] = ws.receive_json()
    return reply


def decodes(path: Path) -> bool:
    """Whether ffmpeg decodes the whole file without a single error."""
    r = subprocess.run(
        ["ffmpeg", "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        check=False,
    )
    return r.returncode == 0 and not r.stderr.strip()


def _db(client: TestClient) -> Any:
    return client.app.state.ctx  # type: ignore[attr-defined]


def test_segments_are_acked_stored_and_decode(client: TestClient, webm_segments: list[Any]) -> None:
    token = register_user(client, "a@example.test")
    assert len(webm_segments) >= 6
    with ingest(client, token) as (ws, started):
        for seg in webm_segments:
            ack = send(ws, seg.seq, seg.start_time, seg.path.read_bytes(), seg.duration)
            assert ack["type"] == "ack" and ack["seq"] == seg.seq and ack["duplicate"] is False
        ws.send_json({"type": "stop"})
        assert ws.receive_json()["type"] == "stopped"
    stream_id = started["stream_id"]

    rows = client.get(f"/api/v1/streams/{stream_id}/segments", headers=auth(token)).json()
    assert [r["seq"] for r in rows] == [s.seq for s in webm_segments]
    store = _db(client).store
    for row in rows:
        with store.open_local(f"streams/{stream_id}/segments/{row['seq']:08d}.webm") as p:
            assert decodes(p), f"segment {row['seq']} does not decode"
    stream = client.get(f"/api/v1/streams/{stream_id}", headers=auth(token)).json()
    assert stream["status"] == "ended"
    assert stream["video_region"]["width"] == 640
    total = sum(s.duration for s in webm_segments)
    assert stream["received_until"] == pytest.approx(total, abs=0.5)


def test_repeated_seq_is_acked_again_and_stored_once(
    client: TestClient, webm_segments: list[Any]
) -> None:
    token = register_user(client, "a@example.test")
    seg = webm_segments[0]
    with ingest(client, token) as (ws, started):
        first = send(ws, 0, 0.0, seg.path.read_bytes())
        again = send(ws, 0, 0.0, seg.path.read_bytes())
    assert first["duplicate"] is False and again["duplicate"] is True
    assert first["segment_id"] == again["segment_id"]
    with _db(client).session_factory() as s:
        assert len(s.scalars(select(Segment)).all()) == 1
    # Resuming the stream reports what is stored.
    with ingest(client, token) as (_ws, resumed):
        assert resumed["stream_id"] == started["stream_id"]
        assert resumed["acked"] == [[0, 0]] and resumed["next_seq"] == 1


def test_malformed_inputs_get_clear_errors_and_the_stream_goes_on(
    make_client: Any, webm_segments: list[Any], truncated_webm: Path, random_bytes_file: Path
) -> None:
    client = make_client(max_segment_bytes=2_000_000)
    token = register_user(client, "a@example.test")
    good = webm_segments[0].path.read_bytes()
    assert len(good) < 2_000_000
    with ingest(client, token) as (ws, _):
        cases = [
            (b"", "invalid_media", "empty"),
            (random_bytes_file.read_bytes(), "invalid_media", "not a media file"),
            (truncated_webm.read_bytes(), "invalid_media", ""),
            (b"\x1a\x45\xdf\xa3" + b"\0" * 2_100_000, "segment_too_large", "limit"),
        ]
        for seq, (data, code, words) in enumerate(cases):
            err = send(ws, seq, seq * 10.0, data)
            assert err["type"] == "error" and err["code"] == code, err
            assert err["seq"] == seq and words in err["message"] and err["fatal"] is False
        far = send(ws, 5000, 0.0, good)
        assert far["code"] == "seq_out_of_range" and "ahead" in far["message"]
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json()["code"] == "bad_frame"
        ws.send_text("{not json")
        assert ws.receive_json()["code"] == "bad_json"
        # The stream continues: the next good segment is stored.
        ok = send(ws, 4, 40.0, good)
        assert ok["type"] == "ack" and ok["seq"] == 4
    with _db(client).session_factory() as s:
        assert [x.seq for x in s.scalars(select(Segment))] == [4]


@pytest.mark.parametrize("token", ["", "garbage", "clp_nope_nope", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_wrong_token_is_refused_with_close_code(client: TestClient, token: str) -> None:
    with client.websocket_connect("/ws/ingest") as ws:
        ws.send_json({"type": "hello", "protocol": 1, "token": token or "x"})
        err = ws.receive_json()
        assert err["type"] == "error" and err["code"] == "unauthorized" and err["fatal"] is True
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401


def test_segment_before_start_and_unknown_protocol(
    client: TestClient, webm_segments: list[Any]
) -> None:
    token = register_user(client, "a@example.test")
    with client.websocket_connect("/ws/ingest") as ws:
        ws.send_json({"type": "hello", "protocol": 99, "token": token})
        assert ws.receive_json()["code"] == "unsupported_protocol"
    with client.websocket_connect(f"/ws/ingest?token={token}") as ws:
        assert ws.receive_json()["type"] == "welcome"
        ws.send_bytes(
            encode_segment_frame(
                {"seq": 0, "start": 0, "duration": 10}, webm_segments[0].path.read_bytes()
            )
        )
        assert ws.receive_json()["code"] == "no_stream"


def test_chat_transcript_region_and_stats(client: TestClient) -> None:
    token = register_user(client, "a@example.test")
    with ingest(client, token) as (ws, started):
        ws.send_json(
            {
                "type": "chat",
                "lines": [
                    {"author": "x", "text": "LUL", "time": 1.0},
                    {"author": "y", "text": "no way", "time": 1.5},
                ],
            }
        )
        assert ws.receive_json() == {"type": "chat_ack", "count": 2}
        words = [
            {"text": "hello", "start": 2.0, "end": 2.4, "confidence": 0.9},
            {"text": "chat", "start": 2.5, "end": 2.9, "confidence": 0.8},
        ]
        for _ in range(2):  # re-sending a chunk replaces it
            ws.send_json(
                {"type": "transcript", "chunk_id": "c1", "start_time": 2.0, "transcript": words}
            )
            assert ws.receive_json()["type"] == "transcript_ack"
        ws.send_json(
            {"type": "region", "video_region": {"x": 10, "y": 20, "width": 300, "height": 200}}
        )
        assert ws.receive_json()["type"] == "region_ack"
        ws.send_json({"type": "stats"})
        assert ws.receive_json()["type"] == "stats"
        ws.send_json({"type": "acked?"})
        assert ws.receive_json() == {
            "type": "acked",
            "stream_id": started["stream_id"],
            "acked": [],
        }
    with _db(client).session_factory() as s:
        assert [
            (c.author, c.text, c.time)
            for c in s.scalars(select(ChatMessage).order_by(ChatMessage.time))
        ] == [("x", "LUL", 1.0), ("y", "no way", 1.5)]
        ts = s.scalars(select(TranscriptSegment)).all()
        assert len(ts) == 1 and ts[0].text == "hello chat" and ts[0].source == "client"
    stream = client.get(f"/api/v1/streams/{started['stream_id']}", headers=auth(token)).json()
    assert stream["video_region"]["x"] == 10
    hits = client.get(
        "/api/v1/search/transcripts", params={"q": "chat"}, headers=auth(token)
    ).json()
    assert hits and hits[0]["match_time"] == pytest.approx(2.5)


def test_recording_quota_is_refused_politely(client: TestClient, webm_segments: list[Any]) -> None:
    token = register_user(client, "free@example.test")
    with _db(client).session_factory() as s:
        user = s.scalar(select(User).where(User.email == "free@example.test"))
        s.add(
            UsageCounter(
                user_id=user.id,
                day=datetime.now(UTC).date(),
                recording_seconds=3595.0,
                clips=0,
                exports=0,
            )
        )
        s.commit()
    with ingest(client, token) as (ws, _):
        err = send(ws, 0, 0.0, webm_segments[0].path.read_bytes())
    assert err["type"] == "error" and err["code"] == "quota_exceeded" and err["seq"] == 0
    assert "1 h" in err["message"] or "hour" in err["message"]


def test_tenant_isolation(client: TestClient, webm_segments: list[Any]) -> None:
    a = register_user(client, "a@example.test")
    b = register_user(client, "b@example.test")
    with ingest(client, a) as (ws, started):
        send(ws, 0, 0.0, webm_segments[0].path.read_bytes())
    sid = started["stream_id"]
    assert client.get(f"/api/v1/streams/{sid}", headers=auth(a)).status_code == 200
    for path in (
        f"/api/v1/streams/{sid}",
        f"/api/v1/streams/{sid}/segments",
        f"/api/v1/streams/{sid}/transcript",
    ):
        r = client.get(path, headers=auth(b))
        assert r.status_code == 404, (path, r.status_code)
    assert client.get("/api/v1/streams", headers=auth(b)).json() == []
    assert client.delete(f"/api/v1/streams/{sid}", headers=auth(b)).status_code == 404
    assert client.get(f"/api/v1/streams/{sid}", headers=auth(a)).status_code == 200
    assert client.get(f"/api/v1/streams/{sid}", headers=auth("nope")).status_code == 401
    # B cannot write into A's stream either: the same client id is B's own, new stream.
    with ingest(client, b, stream_id="s1") as (_ws, other):
        assert other["stream_id"] != sid and other["acked"] == []
    # A deletes their stream: rows and stored objects go.
    store = _db(client).store
    assert list(store.list(f"streams/{sid}/"))
    assert client.delete(f"/api/v1/streams/{sid}", headers=auth(a)).status_code == 204
    assert client.get(f"/api/v1/streams/{sid}", headers=auth(a)).status_code == 404
    assert list(store.list(f"streams/{sid}/")) == []


def test_health_ready_metrics_openapi(make_client: Callable[..., TestClient]) -> None:
    client = make_client(metrics_token="scrape-token")
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/ready").json()["status"] == "ok"
    m = client.get("/metrics", headers=auth("scrape-token")).text
    assert "clippy_segments_received_total" in m and "clippy_active_streams" in m
    spec = client.get("/openapi.json").json()
    assert "/api/v1/streams" in spec["paths"] and "/api/v1/auth/login" in spec["paths"]


def test_disconnected_browser_is_refused_mid_recording(
    client: TestClient, webm_segments: list[Any]
) -> None:
    register_user(client, "paired@example.test")
    pairing = client.post("/api/v1/browsers/pairings", json={"name": "Chrome"}).json()
    ctx = _db(client)
    with ctx.session_factory() as s:
        user_id = s.scalars(select(User.id).where(User.email == "paired@example.test")).one()
        approve_pairing(s, user_id, pairing["code"])
        s.commit()
    claimed = client.post(
        "/api/v1/browsers/pairings/claim", json={"claim_token": pairing["claim_token"]}
    )
    key = claimed.json()["credential"]
    first, second = webm_segments[:2]
    with ingest(client, key) as (ws, _started):
        assert send(ws, first.seq, first.start_time, first.path.read_bytes())["type"] == "ack"
        # Disconnected in Settings while recording: the next segment is already refused.
        with ctx.session_factory() as s:
            revoke_browser(s, user_id, list_browsers(s, user_id)[0].id)
            s.commit()
        err = send(ws, second.seq, second.start_time, second.path.read_bytes())
        assert err["type"] == "error" and err["code"] == "unauthorized"
        assert "disconnected" in err["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Segment)) == 1
