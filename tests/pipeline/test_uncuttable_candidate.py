"""One automatic clip that cannot be cut does not stop the stream's other clips: a range into
a hole in the recording is refused before a clip row exists, and a segment whose stored media
is damaged fails that one clip (real WebM segments, mezzanine and cut; SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from clippy.clips.make import make_clip
from clippy.clips.render import ClipSourceMissing
from clippy.config import Settings
from clippy.db.models import Clip, Stream, User
from clippy.ingest.protocol import SegmentHeader
from clippy.ingest.segments import store_segment
from clippy.pipeline import stages
from clippy.pipeline.detection import _cut
from clippy.runtime import Runtime
from clippy.storage import mezzanine_key
from clippy.web.app import build_context
from tests.fixtures.media import SegmentFile

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def ctx(tmp_path: Path, db_url: str) -> Iterator[Runtime]:
    # PocketSphinx: what is said does not matter here, only that segments are processed.
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="x" * 40,
        transcriber="pocketsphinx",
    )
    context = build_context(settings)
    stages.init_worker(settings, watch_parent=False)
    yield context
    context.engine.dispose()


@pytest.fixture
def stream_with_hole(ctx: Runtime, webm_segments: list[SegmentFile]) -> int:
    """Segments 0-1 and 3-4 of a stream stored and processed; segment 2 (20-30 s) never came."""
    with ctx.session_factory() as s:
        user = User(email="hole@example.com", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id="hole", status="live")
        s.add(stream)
        s.commit()
        user_id, stream_id = user.id, stream.id
    for seg in (webm_segments[k] for k in (0, 1, 3, 4)):
        header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
        stored = store_segment(
            ctx.session_factory, ctx.store, ctx.settings, user_id, stream_id, header,
            seg.path.read_bytes(),
        )  # fmt: skip
        stages.process_segment(stored.segment_id)
    return stream_id


def _clips(ctx: Runtime, stream_id: int) -> list[Clip]:
    with ctx.session_factory() as s:
        return list(s.scalars(select(Clip).where(Clip.stream_id == stream_id).order_by(Clip.id)))


def _auto(ctx: Runtime, stream_id: int, start: float, end: float) -> int | None:
    return _cut(
        ctx.session_factory, ctx.store, stream_id, [(start, end)], None,
        title="t", reason="shout", score=1.0, peak_time=start + 1,
    )  # fmt: skip


def test_a_range_into_a_hole_is_refused_before_any_clip_row(
    ctx: Runtime, stream_with_hole: int, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ClipSourceMissing, match=r"no recording between 20\.00 s and 30\.00 s"):
        make_clip(ctx.session_factory, ctx.store, stream_with_hole, [(15.0, 35.0)])
    assert _clips(ctx, stream_with_hole) == []  # a refusal leaves nothing behind

    with caplog.at_level(logging.WARNING, logger="clippy.pipeline.detection"):
        assert _auto(ctx, stream_with_hole, 15.0, 35.0) is None
    assert "cannot cut" in caplog.text
    made = _auto(ctx, stream_with_hole, 31.0, 45.0)  # the next candidate is still clipped
    assert made is not None
    assert [(c.id, c.status) for c in _clips(ctx, stream_with_hole)] == [(made, "ready")]


def test_damaged_stored_media_fails_that_clip_only(ctx: Runtime, stream_with_hole: int) -> None:
    ctx.store.put_bytes(mezzanine_key(stream_with_hole, 1), b"\x00not an mp4 any more" * 64)
    assert _auto(ctx, stream_with_hole, 11.0, 19.0) is None
    made = _auto(ctx, stream_with_hole, 2.0, 9.0)
    assert made is not None
    status = {c.id: (c.status, c.error or "") for c in _clips(ctx, stream_with_hole)}
    assert status[made] == ("ready", "")
    (failed,) = [v for k, v in status.items() if k != made]
    assert failed[0] == "failed" and failed[1]  # the reason is kept on the clip
