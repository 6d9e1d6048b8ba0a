"""Crash and disconnect behaviour against a real server process (uvicorn) on both databases."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from sqlalchemy import select

from clippy.db.models import Segment
from clippy.db.session import make_engine, make_session_factory
from clippy.ingest.client import IngestClient
from clippy.ingest.protocol import SegmentHeader, encode_segment_frame
from tests.ingest.test_ws_ingest import decodes

# Real-time streaming and media generation: minutes on a loaded 2-core machine (measured
# 254 s of fixture set-up under contention), so allow more than the suite's default.
pytestmark = pytest.mark.timeout(900)


def _stored(db_url: str) -> list[Segment]:
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as s:
            return list(s.scalars(select(Segment).order_by(Segment.seq)))
    finally:
        engine.dispose()


async def test_disconnect_before_ack_then_resume_stores_each_once(
    server_factory: Any, db_url: str, webm_segments: list[Any]
) -> None:
    srv = server_factory(CLIPPY_PIPELINE_ENABLED="false")
    srv.start()
    token = srv.register("a@example.test")["access_token"]
    client = IngestClient(srv.ws, token, "resume-test")
    await client.connect()
    segs = webm_segments[:6]
    for seg in segs[:3]:
        assert (
            await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
        )["type"] == "ack"
    # Segment 3 goes out, the socket drops before its ack is read.
    s3 = segs[3]
    header = SegmentHeader(seq=s3.seq, start=s3.start_time, duration=s3.duration)
    client.pending[s3.seq] = (header, s3.path.read_bytes())
    assert client.ws is not None
    await client.ws.send(encode_segment_frame(header, s3.path.read_bytes()))
    await client.close()

    await client.connect()  # resume: the server reports what it stored
    replies = await client.resend_pending()
    assert all(r["type"] == "ack" for r in replies)
    for seg in segs[4:]:
        assert (
            await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
        )["type"] == "ack"
    await client.close()

    rows = _stored(db_url)
    assert [r.seq for r in rows] == [s.seq for s in segs]  # each exactly once (unique seq)


async def test_sigkill_mid_write_loses_no_acked_segment(
    server_factory: Any, db_url: str, webm_segments: list[Any]
) -> None:
    srv = server_factory(CLIPPY_PIPELINE_ENABLED="false")
    srv.start()
    token = srv.register("a@example.test")["access_token"]
    acked: list[int] = []
    ws = await websockets.connect(srv.ws, max_size=None)
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "token": token}))
    await ws.recv()
    await ws.send(json.dumps({"type": "start", "stream_id": "crash"}))
    started = json.loads(await ws.recv())
    segs = webm_segments[:6]
    for seg in segs[:4]:
        frame = encode_segment_frame(
            {"seq": seg.seq, "start": seg.start_time, "duration": seg.duration},
            seg.path.read_bytes(),
        )
        await ws.send(frame)
        reply = json.loads(await ws.recv())
        assert reply["type"] == "ack"
        acked.append(reply["seq"])
    # Send the next segment and kill the server while it validates/writes it (before the ack).
    last = segs[4]
    await ws.send(
        encode_segment_frame(
            {"seq": last.seq, "start": last.start_time, "duration": last.duration},
            last.path.read_bytes(),
        )
    )
    await asyncio.sleep(0.02)
    srv.kill()
    await asyncio.sleep(0.1)

    # A partial temp file may remain from the killed write; it must never be listed.
    srv.start()
    stored = _stored(db_url)
    seqs = [r.seq for r in stored]
    assert set(acked) <= set(seqs)
    assert seqs in (acked, [*acked, last.seq])
    objects = srv.data_dir / "objects"
    listed = sorted(p for p in objects.rglob("*") if p.is_file() and ".tmp" not in p.parts)
    seg_files = [p for p in listed if "/segments/" in str(p)]
    assert len(seg_files) >= len(acked)
    for row in stored:
        path = objects / row.storage_key
        assert path.exists() and path.stat().st_size == row.size
        assert decodes(path)
    tmp_left = list((objects / ".tmp").glob("*")) if (objects / ".tmp").exists() else []
    assert tmp_left == []  # the restarted server cleaned partial writes away

    # The client reconnects and completes the stream.
    client = IngestClient(srv.ws, token, "crash")
    resumed = await client.connect()
    assert resumed["stream_id"] == started["stream_id"]
    for seg in segs:
        if seg.seq not in client.acked:
            assert (
                await client.send_segment(
                    seg.seq, seg.start_time, seg.duration, seg.path.read_bytes()
                )
            )["type"] == "ack"
    await client.close()
    assert [r.seq for r in _stored(db_url)] == [s.seq for s in segs]
