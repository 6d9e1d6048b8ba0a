"""Fuzzing the ingest WebSocket (hypothesis, bounded, fixed seed).

Generated text messages, segment headers and payloads go to a real app. Whatever arrives,
the server answers every frame, never fails (an exception would surface here), closes only
with a close code this protocol documents, and acknowledges only real media under a valid
header (or, as the protocol allows, a sequence number it already stored).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect

from clippy.db.models import User
from clippy.ingest.protocol import MAX_SEQ, MAX_STREAM_SECONDS
from tests.fixtures.app import register_user
from tests.media.test_source import dash_manifest

# Close codes the protocol documents for a misbehaving client (docs/protocol.md).
DOCUMENTED_CLOSES = {1000, 1009, 4400, 4401}
_numbers = (
    st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, 10.0, 1e300, 1.7e12, 2**63, -1, MAX_SEQ, MAX_SEQ + 1])
)
_json_values = st.recursive(
    st.none() | st.booleans() | _numbers | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_types = st.sampled_from(
    ["hello", "start", "chat", "transcript", "region", "acked?", "stats", "ping", "nope", 7]
)
_text_message = st.one_of(
    st.builds(
        lambda t, extra: json.dumps({"type": t, **extra}),
        _types,
        st.dictionaries(
            st.sampled_from(["lines", "stream_id", "video_region", "chunk_id", "transcript", "x"]),
            _json_values,
            max_size=3,
        ),
    ),
    st.text(max_size=60),
)
_header = st.fixed_dictionaries(
    {},
    optional={
        "seq": st.integers(0, 4) | _json_values,
        "start": st.floats(0, 100) | _json_values,
        "duration": st.just(10.0) | _json_values,
        "mime": st.sampled_from(["video/webm", "video/mp4", "text/html"]) | _json_values,
        "extra": _json_values,
    },
)
_payload_kind = st.sampled_from(["good", "truncated", "garbage_tail", "dash", "random", "empty"])


@st.composite
def _frames(draw: st.DrawFn) -> list[tuple[str, Any]]:
    frames: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            frames.append(("text", draw(_text_message)))
        else:
            header = draw(_header)
            raw_header = draw(st.booleans())
            kind = draw(_payload_kind)
            frames.append(("segment", (header, raw_header, kind, draw(st.integers(0, 2**32)))))
    return frames


def _payload(kind: str, good: bytes, rng: random.Random) -> bytes:
    return {
        "good": good,
        "truncated": good[: rng.randrange(1, len(good))],
        "garbage_tail": good + rng.randbytes(rng.randrange(1, 4096)),
        "dash": dash_manifest(Path("/etc/hostname")),
        "random": rng.randbytes(rng.randrange(1, 4096)),
        "empty": b"",
    }[kind]


def _valid_header(header: dict[str, Any]) -> bool:
    seq, start, duration = header.get("seq"), header.get("start"), header.get("duration")
    return (
        type(seq) is int
        and 0 <= seq <= MAX_SEQ
        and isinstance(start, int | float)
        and not isinstance(start, bool)
        and math.isfinite(start)
        and 0 <= start <= MAX_STREAM_SECONDS
        and isinstance(duration, int | float)
        and not isinstance(duration, bool)
        and math.isfinite(duration)
        and header.get("mime", "video/webm") == "video/webm"
    )


@pytest.mark.timeout(900)
def test_the_ingest_socket_survives_generated_frames(
    make_client: Callable[..., TestClient], webm_segments: list[Any]
) -> None:
    client = make_client()
    token = register_user(client, "fuzz@example.test")
    with client.app.state.ctx.session_factory() as s:  # type: ignore[attr-defined]
        s.query(User).update({"plan": "business"})  # no daily recording quota in the way
        s.commit()
    good = webm_segments[0].path.read_bytes()
    streams = itertools.count()

    @seed(16)
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(frames=_frames())
    def run(frames: list[tuple[str, Any]]) -> None:
        stored: set[int] = set()
        with client.websocket_connect("/ws/ingest") as ws:
            ws.send_json({"type": "hello", "protocol": 1, "token": token})
            assert ws.receive_json()["type"] == "welcome"
            ws.send_json({"type": "start", "stream_id": f"fuzz-{next(streams)}"})
            assert ws.receive_json()["type"] == "started"
            try:
                for kind, frame in frames:
                    valid = False
                    if kind == "text":
                        ws.send_text(frame)
                    else:
                        header, raw_header, payload_kind, n = frame
                        rng = random.Random(n)
                        payload = _payload(payload_kind, good, rng)
                        # Python writes Infinity and NaN; a raw header may be cut short.
                        raw = json.dumps(header).encode()
                        if raw_header:
                            raw = raw[: rng.randrange(0, len(raw) + 1)]
                        ws.send_bytes(struct.pack(">I", len(raw)) + raw + payload)
                        valid = not raw_header and _valid_header(header) and payload_kind == "good"
                    reply = ws.receive_json()
                    assert reply.get("type") != "welcome"
                    if reply.get("type") == "ack":
                        assert kind == "segment", reply
                        assert valid or reply["seq"] in stored, (frame, reply)
                        stored.add(reply["seq"])
                    if reply.get("type") == "started":  # a generated start: another stream
                        stored = {s for a, b in reply["acked"] for s in range(a, b + 1)}
                ws.send_json({"type": "ping"})
                while (reply := ws.receive_json()).get("type") != "pong":
                    assert reply.get("type") in ("error", "clip_created"), reply
            except WebSocketDisconnect as closed:
                assert closed.code in DOCUMENTED_CLOSES, closed.code

    run()
