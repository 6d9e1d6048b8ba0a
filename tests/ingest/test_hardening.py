"""Ingest at the edge (issue 16): bounded times, strict types, safe media, chat and frame limits.

Each test sends what an attacker or a buggy client sent to a real app (SQLite and PostgreSQL)
and checks the refusal, that nothing was acknowledged or stored, and that the connection
carries on (or is closed with a code).
"""

from __future__ import annotations

import json
import random
import struct
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from clippy.accounts.plans import get_plan
from clippy.db.models import ChatMessage, Segment, User
from clippy.ingest.limits import CHAT_BURST_LINES
from clippy.ingest.protocol import MAX_CHAT_LINES, MAX_TEXT_FRAME_BYTES, encode_segment_frame
from clippy.storage.local import LocalStore
from tests.fixtures.app import register_user
from tests.fixtures.inotify import watch_reads
from tests.ingest.test_ws_ingest import ingest, send
from tests.media.test_source import dash_manifest


def _raw_frame(header_json: str, payload: bytes) -> bytes:
    raw = header_json.encode()
    return struct.pack(">I", len(raw)) + raw + payload


def _segment_count(client: TestClient) -> int:
    with client.app.state.ctx.session_factory() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).select_from(Segment)) or 0)


BAD_HEADERS = [
    ('{"seq": 0, "start": 1e300, "duration": 10.0}', "start"),
    ('{"seq": 0, "start": 1700000000000, "duration": 10.0}', "start"),  # epoch milliseconds
    ('{"seq": 0, "start": Infinity, "duration": 10.0}', "Infinity"),
    ('{"seq": 0, "start": -Infinity, "duration": 10.0}', "Infinity"),
    ('{"seq": 0, "start": NaN, "duration": 10.0}', "NaN"),
    ('{"seq": 0, "start": 1e400, "duration": 10.0}', "finite"),
    ('{"seq": 0, "start": 0.0, "duration": Infinity}', "Infinity"),
    ('{"seq": 9223372036854775808, "start": 0.0, "duration": 10.0}', "seq"),
    ('{"seq": 2147483648, "start": 0.0, "duration": 10.0}', "seq"),
    ('{"seq": "1", "start": 0.0, "duration": 10.0}', "seq"),
    ('{"seq": 1.0, "start": 0.0, "duration": 10.0}', "seq"),
    ('{"seq": true, "start": 0.0, "duration": 10.0}', "seq"),
    ('{"seq": 0, "start": "0", "duration": 10.0}', "start"),
    ('{"seq": 0, "start": 0.0, "duration": 10.0, "mime": "application/dash+xml"}', "not accepted"),
]


def test_out_of_bounds_and_loosely_typed_headers_are_refused(
    client: TestClient, webm_segments: list[Any]
) -> None:
    token = register_user(client, "a@example.test")
    good = webm_segments[0].path.read_bytes()
    with ingest(client, token) as (ws, _):
        for header, words in BAD_HEADERS:
            ws.send_bytes(_raw_frame(header, good))
            reply = ws.receive_json()
            assert reply["type"] == "error", (header, reply)
            assert reply["code"] in ("bad_frame", "bad_segment_header", "invalid_media"), reply
            assert words in reply["message"], (header, reply)
            assert reply["fatal"] is False
        assert _segment_count(client) == 0
        # The connection is still good for real segments.
        ack = send(ws, 0, 0.0, good)
        assert ack["type"] == "ack" and ack["seq"] == 0
    assert _segment_count(client) == 1


def test_epoch_milliseconds_get_a_hint(client: TestClient, webm_segments: list[Any]) -> None:
    token = register_user(client, "a@example.test")
    with ingest(client, token) as (ws, _):
        reply = send(ws, 0, 1.7e12, webm_segments[0].path.read_bytes())
    assert reply["code"] == "bad_segment_header" and reply["seq"] == 0
    assert "epoch milliseconds" in reply["message"]


def test_a_webm_with_trailing_garbage_is_refused(
    client: TestClient, webm_segments: list[Any]
) -> None:
    token = register_user(client, "a@example.test")
    data = webm_segments[0].path.read_bytes() + random.Random(8).randbytes(1 << 20)
    with ingest(client, token) as (ws, _):
        reply = send(ws, 0, 0.0, data)
    assert reply["type"] == "error" and reply["code"] == "invalid_media", reply
    assert "after the media" in reply["message"] or "unexpected bytes" in reply["message"]
    assert _segment_count(client) == 0


def test_a_dash_manifest_cannot_read_another_users_segment(
    client: TestClient, webm_segments: list[Any]
) -> None:
    victim_token = register_user(client, "victim@example.test")
    with ingest(client, victim_token, "victim") as (ws, started):
        assert send(ws, 0, 0.0, webm_segments[0].path.read_bytes())["type"] == "ack"
    store = client.app.state.ctx.store  # type: ignore[attr-defined]
    assert isinstance(store, LocalStore)
    victim_file = store.path(f"streams/{started['stream_id']}/segments/00000000.webm")
    assert victim_file.is_file()

    attacker = register_user(client, "attacker@example.test")
    with watch_reads(victim_file) as watch, ingest(client, attacker, "attack") as (ws, _):
        for seq, mime in enumerate(["video/webm", "video/mp4", "video/x-matroska", "video/mp2t"]):
            header = {"seq": seq, "start": seq * 10.0, "duration": 10.0, "mime": mime}
            ws.send_bytes(encode_segment_frame(header, dash_manifest(victim_file)))
            reply = ws.receive_json()
            assert reply["type"] == "error" and reply["code"] == "invalid_media", reply
        assert watch.events() == 0, "the victim's segment was opened"
    assert _segment_count(client) == 1


def test_chat_is_bounded_per_message_and_per_second(client: TestClient) -> None:
    token = register_user(client, "a@example.test")
    line = {"author": "a", "text": "LUL", "time": 1.0}
    with ingest(client, token) as (ws, _):
        ws.send_json({"type": "chat", "lines": [line] * (MAX_CHAT_LINES + 1)})
        assert ws.receive_json()["code"] == "bad_message"
        ws.send_json({"type": "chat", "lines": [{**line, "text": "x" * 501}]})
        assert ws.receive_json()["code"] == "bad_message"
        ws.send_json({"type": "chat", "lines": [{**line, "time": "1"}]})
        assert ws.receive_json()["code"] == "bad_message"
        ws.send_text('{"type": "chat", "lines": [{"text": "a", "time": NaN}]}')
        assert ws.receive_json()["code"] == "bad_json"
        stored = 0
        refused = None
        for _ in range(int(CHAT_BURST_LINES // MAX_CHAT_LINES) + 2):
            ws.send_json({"type": "chat", "lines": [line] * MAX_CHAT_LINES})
            reply = ws.receive_json()
            if reply["type"] == "chat_ack":
                stored += reply["count"]
            else:
                refused = reply
                break
        assert refused is not None and refused["code"] == "chat_rate_limited", refused
        assert "send them again in" in refused["message"] and refused["fatal"] is False
        assert stored == CHAT_BURST_LINES
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
    with client.app.state.ctx.session_factory() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(ChatMessage)) == stored


def test_an_oversized_text_frame_closes_with_1009(client: TestClient) -> None:
    token = register_user(client, "a@example.test")
    with ingest(client, token) as (ws, _):
        big = json.dumps({"type": "ping", "pad": "x" * (MAX_TEXT_FRAME_BYTES + 1)})
        ws.send_text(big)
        reply = ws.receive_json()
        assert reply["code"] == "message_too_large" and reply["fatal"] is True
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1009


def test_segment_frames_are_limited_by_plan(client: TestClient, webm_segments: list[Any]) -> None:
    token = register_user(client, "a@example.test")
    free = get_plan("free").max_segment_bytes
    with ingest(client, token) as (ws, started):
        assert started["max_segment_bytes"] == free
        reply = send(ws, 0, 0.0, b"\x1a\x45\xdf\xa3" + b"\0" * free)
        assert reply["code"] == "segment_too_large" and reply["seq"] == 0
        assert "free plan" in reply["message"]
    with client.app.state.ctx.session_factory() as s:  # type: ignore[attr-defined]
        s.query(User).update({"plan": "pro"})
        s.commit()
    with ingest(client, token, "s2") as (ws, started):
        assert started["max_segment_bytes"] == get_plan("pro").max_segment_bytes > free


def test_an_unexpected_failure_closes_with_a_code(
    client: TestClient, webm_segments: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import clippy.web.ws_ingest as ws_ingest

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("database went away")

    token = register_user(client, "a@example.test")
    with ingest(client, token) as (ws, _):
        monkeypatch.setattr(ws_ingest, "store_segment", broken)
        reply = send(ws, 0, 0.0, webm_segments[0].path.read_bytes())
        assert reply["type"] == "error" and reply["code"] == "server_error"
        assert reply["fatal"] is False  # the extension reconnects and resends
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1011
