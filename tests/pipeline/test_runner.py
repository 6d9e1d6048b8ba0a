"""The embedded runner: a stage failing on one segment is retried, recorded, and does not stop
the next segments or their clips."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from clippy.clips import ensure_mezzanine
from clippy.config import Settings
from clippy.db.models import ChatMessage, Clip, Segment, Stream, User
from clippy.ingest.protocol import SegmentHeader
from clippy.ingest.segments import store_segment
from clippy.jobs.segments import SegmentRunner
from clippy.media.probe import probe
from clippy.pipeline import stages
from clippy.runtime import Runtime
from clippy.storage import mezzanine_key
from clippy.web.app import build_context
from tests.fixtures.media import PlantedStream, SegmentFile

# Real-time streaming and media generation: minutes on a loaded 2-core machine (measured
# 254 s of fixture set-up under contention), so allow more than the suite's default.
pytestmark = pytest.mark.timeout(900)

BAD_SEQ = 3


def _live_stream_with_chat(ctx: Runtime, planted_stream: PlantedStream) -> tuple[int, int]:
    """A pro user's live stream holding the planted chat of its first 130 s: (user, stream)."""
    with ctx.session_factory() as s:
        user = User(email="u@example.test", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id="s", status="live")
        s.add(stream)
        s.flush()
        s.add_all(
            ChatMessage(stream_id=stream.id, author=a, text=t, time=tm)
            for tm, a, t in planted_stream.chat_lines
            if tm < 130
        )
        s.commit()
        user_id, stream_id = user.id, stream.id
    return user_id, stream_id


async def test_failing_stage_is_isolated(
    tmp_path: Path, db_url: str, planted_stream: PlantedStream, planted_segments: list[SegmentFile]
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="x" * 40,
        pipeline_max_attempts=2,
    )
    ctx = build_context(settings)
    user_id, stream_id = _live_stream_with_chat(ctx, planted_stream)
    segments = [seg for seg in planted_segments if seg.start_time < 130]
    ids = {}
    for seg in segments:
        header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
        stored = store_segment(
            ctx.session_factory,
            ctx.store,
            settings,
            user_id,
            stream_id,
            header,
            seg.path.read_bytes(),
        )
        ids[seg.seq] = stored.segment_id
    calls: list[int] = []

    def flaky(segment_id: int) -> int:
        calls.append(segment_id)
        if segment_id == ids[BAD_SEQ]:
            raise RuntimeError("disk on fire")
        return stages.process_segment(segment_id)

    runner = SegmentRunner(ctx, segment_stage=flaky, executor=ThreadPoolExecutor(1))
    await runner.start()
    for seq in sorted(ids):
        runner.submit(ids[seq], stream_id)
    await runner.join()
    with ctx.session_factory() as s:
        s.get(Stream, stream_id).status = "ended"  # type: ignore[union-attr]
        s.commit()
    await runner.detect(stream_id, final=True)
    await runner.stop()

    assert calls.count(ids[BAD_SEQ]) == 2  # retried up to pipeline_max_attempts
    with ctx.session_factory() as s:
        rows = {r.seq: r for r in s.scalars(select(Segment).where(Segment.stream_id == stream_id))}
        clips = list(s.scalars(select(Clip).where(Clip.stream_id == stream_id)))
        ranges = [(r.start, r.end) for c in clips for r in c.ranges]
    bad = rows[BAD_SEQ]
    assert bad.status == "failed" and bad.attempts == 2 and "disk on fire" in (bad.error or "")
    assert all(r.status == "done" for seq, r in rows.items() if seq != BAD_SEQ)
    chat_moment = next(m.time for m in planted_stream.moments if m.kind == "chat")
    assert any(s0 <= chat_moment <= e0 for s0, e0 in ranges), ranges
    assert all(c.status == "ready" for c in clips)
    ctx.engine.dispose()


async def test_busy_pipeline_leaves_mezzanines_to_the_cut(
    tmp_path: Path, db_url: str, planted_stream: PlantedStream, planted_segments: list[SegmentFile]
) -> None:
    """Segments arriving faster than one worker handles them: detection of each comes first,
    the mezzanines of those that had others waiting behind them are skipped, and the clip's
    cut (and any later reader) makes the ones it needs from the stored originals."""
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="x" * 40,
        pipeline_mezzanine_defer_seconds=0.0,
    )
    ctx = build_context(settings)
    user_id, stream_id = _live_stream_with_chat(ctx, planted_stream)
    ids = {}
    for seg in (seg for seg in planted_segments if seg.start_time < 130):
        header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
        stored = store_segment(
            ctx.session_factory, ctx.store, settings, user_id, stream_id, header,
            seg.path.read_bytes(),
        )  # fmt: skip
        ids[seg.seq] = stored.segment_id
    runner = SegmentRunner(ctx, executor=ThreadPoolExecutor(1))
    await runner.start()
    for seq in sorted(ids):  # all at once: every one but the last has others waiting
        runner.submit(ids[seq], stream_id)
    await runner.join()
    await runner.stop()

    with ctx.session_factory() as s:
        clips = list(s.scalars(select(Clip).where(Clip.stream_id == stream_id)))
        ranges = [(r.start, r.end) for c in clips for r in c.ranges]
        rows = {r.seq: r for r in s.scalars(select(Segment).where(Segment.stream_id == stream_id))}
    assert all(r.status == "done" and r.features for r in rows.values())
    made = {seq for seq in ids if ctx.store.exists(mezzanine_key(stream_id, seq))}
    last = max(ids)
    assert last in made  # nothing waited behind the last segment
    assert last - 1 in made  # then, idle, the newest skipped one was made too
    skipped = sorted(set(ids) - made)
    assert skipped, "every mezzanine was made although segments were waiting"
    assert clips and all(c.status == "ready" for c in clips)
    for start, end in ranges:  # the cut made the mezzanines its ranges needed
        needed = {q for q, row in rows.items() if row.start_time < end
                  and row.start_time + row.duration > start}  # fmt: skip
        assert needed <= {q for q in ids if ctx.store.exists(mezzanine_key(stream_id, q))}
    unmade = [q for q in skipped if not ctx.store.exists(mezzanine_key(stream_id, q))]
    assert unmade  # the clips need only some segments: the rest are left until a reader asks
    seq = unmade[0]
    with ctx.store.open_local(ensure_mezzanine(ctx.store, stream_id, seq)) as mezz:
        info = probe(mezz)
    assert info.video_codec == "h264" and info.duration == pytest.approx(
        rows[seq].duration, abs=0.1
    )
    ctx.engine.dispose()
