"""Ingest does not wait for the pipeline; streams are processed in turn; the lag is visible.

The pipeline runs for real (the embedded ``SegmentRunner`` in the app's event loop) with a
segment stage that blocks until the test lets it go, standing in for a saturated machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clippy.db.models import Segment
from clippy.jobs.segments import SegmentRunner
from tests.fixtures.app import auth, register_user
from tests.ingest.test_ws_ingest import ingest, send


class GatedStage:
    """A segment stage that records the order it is called in and waits for ``release``."""

    def __init__(self, factory: Any, *, refuse_together: bool = False) -> None:
        self.factory = factory
        self.gate = threading.Event()
        self.calls: list[int] = []
        self.together: list[tuple[int, ...]] = []
        self.refuse_together = refuse_together

    def __call__(self, segment_id: int) -> int:
        self.calls.append(segment_id)
        return self._finish([segment_id])

    def batch(self, segment_ids: Sequence[int]) -> int:
        """The batch stage: several waiting segments of one stream in one call."""
        self.together.append(tuple(segment_ids))
        if self.refuse_together:
            raise RuntimeError("decoder out of memory")
        return self._finish(segment_ids)

    def _finish(self, segment_ids: Sequence[int]) -> int:
        self.gate.wait(60)
        with self.factory() as s:
            segs = [s.get(Segment, i) for i in segment_ids]
            for seg in segs:
                assert seg is not None
                seg.status = "done"
            s.commit()
            assert segs[0] is not None
            return segs[0].stream_id


@pytest.fixture
def gated(make_client: Callable[..., TestClient]) -> Iterator[tuple[TestClient, GatedStage]]:
    client = make_client(metrics_token="scrape-token")
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    stage = GatedStage(ctx.session_factory)
    runner = SegmentRunner(ctx, segment_stage=stage, executor=ThreadPoolExecutor(1))
    client.portal.call(runner.start)  # type: ignore[union-attr]
    ctx.jobs.segments = runner
    yield client, stage
    stage.gate.set()
    client.portal.call(runner.stop)  # type: ignore[union-attr]
    ctx.jobs.segments = None


def test_acks_do_not_wait_for_a_saturated_pipeline(
    gated: tuple[TestClient, GatedStage], webm_segments: list[Any]
) -> None:
    client, stage = gated
    token = register_user(client, "a@example.test")
    waits = []
    with ingest(client, token) as (ws, started):
        for seg in webm_segments[:5]:
            t = time.perf_counter()
            ack = send(ws, seg.seq, seg.start_time, seg.path.read_bytes())
            waits.append(time.perf_counter() - t)
            assert ack["type"] == "ack", ack
        ws.send_json({"type": "stats"})
        stats = ws.receive_json()
    # One segment is being processed (blocked), the other four wait: none held an ack back.
    assert stats["pipeline_queue"] == 4 and stats["processing_lag"] > 0
    assert len(stage.calls) == 1
    body = client.get("/metrics", headers=auth("scrape-token")).text
    assert f'clippy_stream_processing_lag_seconds{{stream_id="{started["stream_id"]}"}}' in body
    stream = client.get(f"/api/v1/streams/{started['stream_id']}", headers=auth(token)).json()
    assert stream["unprocessed_segments"] == 5 and stream["processing_lag_seconds"] >= 0


def test_streams_are_processed_in_turn(
    gated: tuple[TestClient, GatedStage], webm_segments: list[Any]
) -> None:
    client, stage = gated
    a, b = register_user(client, "a@example.test"), register_user(client, "b@example.test")
    with ingest(client, a, "heavy") as (ws, _):
        for seg in webm_segments[:4]:
            assert send(ws, seg.seq, seg.start_time, seg.path.read_bytes())["type"] == "ack"
    with ingest(client, b, "light") as (ws, _):
        ack = send(ws, 0, 0.0, webm_segments[0].path.read_bytes())
        light_segment = ack["segment_id"]
    stage.gate.set()
    deadline = time.monotonic() + 60
    while len(stage.calls) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    # The light stream waits for one turn of the heavy one, not for its whole backlog
    # (a single queue served it last: [1, 2, 3, 4, 5]).
    assert len(stage.calls) == 5 and light_segment in stage.calls[:3], stage.calls


@pytest.mark.parametrize("refuse", [False, True], ids=["together", "group-fails"])
def test_a_streams_backlog_is_recognised_together(
    make_client: Callable[..., TestClient], webm_segments: list[Any], refuse: bool
) -> None:
    """Segments that waited go through the batch stage three at a time; if that call fails,
    each is retried on its own, so none is lost and a bad one would fail alone."""
    client = make_client()
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    stage = GatedStage(ctx.session_factory, refuse_together=refuse)
    runner = SegmentRunner(
        ctx, segment_stage=stage, batch_stage=stage.batch, executor=ThreadPoolExecutor(1)
    )
    client.portal.call(runner.start)  # type: ignore[union-attr]
    ctx.jobs.segments = runner
    try:
        token = register_user(client, "a@example.test")
        with ingest(client, token) as (ws, _):
            ids = [
                send(ws, seg.seq, seg.start_time, seg.path.read_bytes())["segment_id"]
                for seg in webm_segments[:5]
            ]
        stage.gate.set()
        client.portal.call(runner.join)  # type: ignore[union-attr]
    finally:
        stage.gate.set()
        client.portal.call(runner.stop)  # type: ignore[union-attr]
        ctx.jobs.segments = None
    # The first arrived alone; the next three had waited together; the fifth was left.
    assert stage.together == [tuple(ids[1:4])]
    assert stage.calls == ([ids[0], *ids[1:4], ids[4]] if refuse else [ids[0], ids[4]])
    with ctx.session_factory() as s:
        assert all(s.get(Segment, i).status == "done" for i in ids)  # type: ignore[union-attr]


def test_a_stream_has_jobs_pending_until_its_final_pass_has_run(
    gated: tuple[TestClient, GatedStage], webm_segments: list[Any]
) -> None:
    client, stage = gated
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    portal = client.portal  # type: ignore[attr-defined]
    runner: SegmentRunner = ctx.jobs.segments
    detect = runner.detect
    seen: list[tuple[bool, bool]] = []  # (final, pending while it ran)

    async def watched(stream_id: int, *, final: bool = False) -> list[int]:
        seen.append((final, runner.stream_pending(stream_id)))
        return await detect(stream_id, final=final)

    runner.detect = watched  # type: ignore[method-assign]
    token = register_user(client, "a@example.test")
    with ingest(client, token) as (ws, started):
        assert send(ws, 0, 0.0, webm_segments[0].path.read_bytes())["type"] == "ack"
    stream_id = started["stream_id"]
    pending = partial(portal.call, ctx.jobs.stream_jobs_pending)
    assert pending(stream_id) and not pending(stream_id + 1)
    portal.call(ctx.jobs.stream_finished, stream_id)  # owed once the segment is done
    stage.gate.set()
    deadline = time.monotonic() + 60
    while pending(stream_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    # The segment's detection, then the final pass, each while the stream still counted as
    # pending (``clippy record`` must not exit before the final pass's clips).
    assert not pending(stream_id) and seen == [(False, True), (True, True)], seen
