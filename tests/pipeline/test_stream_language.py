"""The live stage recognises each segment in its stream's language: a German espeak-ng stream
set to German (or left to auto-detect) gives German words with Whisper base, and the language
heard is kept on the stream; a language the model cannot serve is never decoded as English
(SQLite and PostgreSQL, real segments through the real stage)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from clippy.config import Settings
from clippy.db.models import Segment, Stream, TranscriptSegment, User
from clippy.ingest.protocol import SegmentHeader
from clippy.ingest.segments import store_segment
from clippy.pipeline import stages
from clippy.runtime import Runtime
from clippy.web.app import build_context
from tests.fixtures.media import SegmentFile, make_stream_video, split_webm_segments
from tests.fixtures.speech import espeak

pytestmark = pytest.mark.timeout(900)

GERMAN = "guten abend und willkommen zurück heute spielen wir zusammen ein neues spiel"


@pytest.fixture(scope="module")
def german_segment(tmp_path_factory: pytest.TempPathFactory) -> SegmentFile:
    d = tmp_path_factory.mktemp("german-stream")
    espeak(GERMAN, "de", d / "de.wav", speed=140)
    video = make_stream_video(d / "stream.mp4", 8.0, d / "de.wav", size="320x180")
    return split_webm_segments(video, d / "segs", seconds=8.0)[0]


def _runtime(tmp_path: Path, db_url: str, **overrides: Any) -> Runtime:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=db_url, secret_key="x" * 40, **overrides
    )
    stages.init_worker(settings, watch_parent=False)
    return build_context(settings)


@pytest.fixture
def base_ctx(
    tmp_path: Path, db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    # base is reassembled into the data dir: once per worker, shared by the tests here.
    shared = tmp_path_factory.getbasetemp() / "whisper-base-data" / "models"
    shared.mkdir(parents=True, exist_ok=True)
    (tmp_path / "data").mkdir(parents=True)
    (tmp_path / "data" / "models").symlink_to(shared)
    ctx = _runtime(tmp_path, db_url, whisper_model="base")
    yield ctx
    ctx.engine.dispose()


def _stream(
    ctx: Runtime, email: str, user_settings: dict[str, Any], settings: dict[str, Any]
) -> int:
    with ctx.session_factory() as s:
        user = User(email=email, password_hash="x", plan="free", settings=user_settings)
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id=email, status="live", settings=settings)
        s.add(stream)
        s.commit()
        return stream.id


def _process(ctx: Runtime, stream_id: int, seg: SegmentFile) -> list[str]:
    with ctx.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None
        user_id = stream.user_id
    header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
    stored = store_segment(
        ctx.session_factory, ctx.store, ctx.settings, user_id, stream_id, header,
        seg.path.read_bytes(),
    )  # fmt: skip
    stages.process_segment(stored.segment_id)
    with ctx.session_factory() as s:
        rows = s.scalars(select(TranscriptSegment).where(TranscriptSegment.stream_id == stream_id))
        return [re.sub(r"[^\w]", "", str(w["text"]).lower()) for r in rows for w in r.words]


def _found(words: list[str]) -> float:
    ref = GERMAN.split()
    return sum(w in words for w in ref) / len(ref)


def _settings(ctx: Runtime, stream_id: int) -> dict[str, Any]:
    with ctx.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None
        return dict(stream.settings)


def test_german_stream_gives_german_words_and_keeps_the_language(
    base_ctx: Runtime, german_segment: SegmentFile
) -> None:
    chosen = _stream(base_ctx, "de@example.com", {"language": "en"}, {"language": "de"})
    words = _process(base_ctx, chosen, german_segment)
    assert _found(words) >= 0.6, words  # the stream's German wins over the account's English
    assert "the" not in words and "together" not in words
    assert _settings(base_ctx, chosen)["heard_languages"]["de"] == len(words)

    detected = _stream(base_ctx, "auto@example.com", {"language": "auto"}, {})
    words = _process(base_ctx, detected, german_segment)
    assert _found(words) >= 0.5, words
    assert _settings(base_ctx, detected)["heard_languages"] == {"de": len(words)}


def test_a_language_the_model_lacks_is_left_unheard_with_the_reason(
    tmp_path: Path, db_url: str, german_segment: SegmentFile
) -> None:
    # Chosen while the server ran base; the server now runs English-only tiny.en.
    ctx = _runtime(tmp_path, db_url)
    try:
        stream_id = _stream(ctx, "stale@example.com", {}, {"language": "de"})
        assert _process(ctx, stream_id, german_segment) == []
        with ctx.session_factory() as s:
            seg = s.scalars(select(Segment).where(Segment.stream_id == stream_id)).one()
            assert seg.status == "done" and seg.features
            assert seg.error is not None and "English only" in seg.error
    finally:
        ctx.engine.dispose()
