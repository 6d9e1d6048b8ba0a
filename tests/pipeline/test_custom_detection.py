"""A streamer's own key phrase and the LLM judge through the real pipeline stages: generated
speech (espeak-ng) as WebM segments, mezzanine, offline recognition, detection, cutting
(SQLite and PostgreSQL; the judge is a local server speaking OpenAI's chat protocol)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from clippy.clips.service import delete_clip
from clippy.config import Settings
from clippy.db.models import Clip, Stream, User
from clippy.detect.judge import STREAMER_HEADER, make_judge
from clippy.detect.preferences import validate, with_prefs
from clippy.ingest.protocol import SegmentHeader
from clippy.ingest.segments import store_segment
from clippy.pipeline import stages
from clippy.pipeline.detection import detect_and_clip
from clippy.runtime import Runtime
from clippy.web.app import build_context
from tests.detect.fake_llm import API_KEY, FakeLlm, fake_llm
from tests.fixtures.media import (
    CALM,
    SegmentFile,
    make_stream_video,
    mix_speech,
    speech_wav,
    split_webm_segments,
)

pytestmark = pytest.mark.timeout(600)

PHRASE = "pineapple pizza"  # PocketSphinx hears espeak-ng say this reliably (checked by hand)
PHRASE_LINE = f"the map is quite large and {PHRASE} there are many places to explore"
PROMPT = "Clip anything about food. Never clip the menus."


@dataclass(frozen=True)
class PhraseStream:
    """Calm speech with the key phrase said once, at normal loudness, near ``phrase_time``."""

    segments: list[SegmentFile]
    phrase_time: float


@pytest.fixture(scope="module")
def phrase_stream(tmp_path_factory: pytest.TempPathFactory) -> PhraseStream:
    d = tmp_path_factory.mktemp("phrase-stream")
    lines = [CALM[0], CALM[1], PHRASE_LINE, CALM[4], CALM[5]]
    parts, t, phrase_time = [], 0.5, 0.0
    for k, line in enumerate(lines):
        wav = d / f"l{k}.wav"
        dur = speech_wav(line, wav)
        if line == PHRASE_LINE:
            phrase_time = t + dur / 2
        parts.append((t, wav, 0.0))
        t += dur + 0.8
    total = 40.0
    assert t < total
    mix_speech(parts, total, d / "speech.wav")
    video = make_stream_video(d / "stream.mp4", total, d / "speech.wav", size="320x180")
    return PhraseStream(split_webm_segments(video, d / "segs"), phrase_time)


@pytest.fixture
def ctx(tmp_path: Path, db_url: str) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key="x" * 40)
    context = build_context(settings)
    stages.init_worker(settings, watch_parent=False)
    yield context
    context.engine.dispose()


def _user_stream(ctx: Runtime, email: str, plan: str, phrases: str, prompt: str = "") -> int:
    with ctx.session_factory() as s:
        user = User(email=email, password_hash="x", plan=plan)
        user.settings = with_prefs({}, validate(phrases, prompt))
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id=email, status="live")
        s.add(stream)
        s.commit()
        return stream.id


def _record(ctx: Runtime, stream_id: int, segments: list[SegmentFile]) -> None:
    """Store and process every segment as the live pipeline would, then end the stream."""
    with ctx.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None
        user_id = stream.user_id
    for seg in segments:
        header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
        stored = store_segment(
            ctx.session_factory, ctx.store, ctx.settings, user_id, stream_id, header,
            seg.path.read_bytes(),
        )  # fmt: skip
        stages.process_segment(stored.segment_id)
    with ctx.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None
        stream.status = "ended"
        s.commit()


def _clips(ctx: Runtime, stream_id: int) -> list[Clip]:
    with ctx.session_factory() as s:
        q = select(Clip).where(Clip.stream_id == stream_id).order_by(Clip.id)
        clips = list(s.scalars(q))
        for c in clips:
            _ = c.ranges  # loaded before the session closes
        return clips


def _forget_clips(ctx: Runtime, stream_id: int) -> None:
    with ctx.session_factory() as s:
        for clip in s.scalars(select(Clip).where(Clip.stream_id == stream_id)):
            delete_clip(s, ctx.store, clip)
        s.commit()


def _covers(clip: Clip, t: float) -> bool:
    return any(r.start <= t <= r.end for r in clip.ranges)


def test_own_key_phrase_clips_only_that_users_stream(
    ctx: Runtime, phrase_stream: PhraseStream
) -> None:
    mine = _user_stream(ctx, "biz@example.test", "business", f"{PHRASE}\nPurple Monkey")
    theirs = _user_stream(ctx, "other@example.test", "business", "purple monkey")
    for sid in (mine, theirs):
        _record(ctx, sid, phrase_stream.segments)
        detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, sid, final=True)

    (clip,) = [c for c in _clips(ctx, mine) if f"'{PHRASE}'" in c.reason]
    assert _covers(clip, phrase_stream.phrase_time), (clip.ranges, phrase_stream.phrase_time)
    assert clip.status == "ready" and PHRASE in clip.transcript_text
    assert PHRASE in clip.title.lower()  # the sentence that holds the phrase
    # The same speech on another user's stream: their phrases do not include it.
    assert not any(PHRASE in c.reason for c in _clips(ctx, theirs))

    # Off the business plan the stored phrases stay but stop steering detection.
    _forget_clips(ctx, mine)
    with ctx.session_factory() as s:
        user = s.scalars(select(User).where(User.email == "biz@example.test")).one()
        user.plan = "pro"
        s.commit()
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, mine, final=True)
    assert not any(PHRASE in c.reason for c in _clips(ctx, mine))


def _judged(ctx: Runtime, stream_id: int, llm: FakeLlm, timeout: float = 5.0) -> list[Clip]:
    """Run final detection with a fresh judge on ``llm``; the stream's clips afterwards."""
    _forget_clips(ctx, stream_id)
    settings = ctx.settings.model_copy(
        update={
            "llm_api_key": API_KEY,
            "llm_base_url": llm.base_url,
            "llm_timeout_seconds": timeout,
        }
    )
    judge = make_judge(settings)
    assert judge is not None
    detect_and_clip(ctx.session_factory, ctx.store, settings, stream_id, final=True, judge=judge)
    return _clips(ctx, stream_id)


def test_the_judge_keeps_drops_and_never_loses_a_clip(
    ctx: Runtime, phrase_stream: PhraseStream
) -> None:
    sid = _user_stream(ctx, "judged@example.test", "business", PHRASE, PROMPT)
    _record(ctx, sid, phrase_stream.segments)
    with fake_llm() as llm:
        # Kept: the clip takes the judge's title; the streamer's prompt reached the server.
        llm.reply = '{"keep": true, "score": 0.9, "title": "The pineapple pizza confession"}'
        (kept,) = _judged(ctx, sid, llm)
        assert kept.title == "The pineapple pizza confession" and f"'{PHRASE}'" in kept.reason
        assert kept.signals["llm"]["status"] == "kept" and kept.status == "ready"
        assert llm.requests and all(
            p.endswith(f"{STREAMER_HEADER}\n{PROMPT}") for p in llm.system_prompts()
        )
        assert PHRASE in llm.requests[0]["messages"][1]["content"]  # what was said
        signal_score = kept.score / 1.4  # 0.9 scales the signal score by 0.5 + 0.9

        # Dropped: no clip is made.
        asked = len(llm.requests)
        llm.reply = '{"keep": false, "score": 0.1, "title": "Map talk"}'
        assert _judged(ctx, sid, llm) == []
        assert len(llm.requests) > asked

        # Server error, then a server slower than the timeout: the signal clip is made.
        llm.status = 500
        (on_error,) = _judged(ctx, sid, llm)
        assert on_error.signals["llm"] == {"status": "unavailable"}
        assert on_error.score == pytest.approx(signal_score, abs=0.01)
        assert PHRASE in on_error.title.lower()
        llm.status, llm.delay = 200, 2.0
        (on_timeout,) = _judged(ctx, sid, llm, timeout=0.5)
        assert on_timeout.signals["llm"] == {"status": "unavailable"}
        assert on_timeout.status == "ready" and f"'{PHRASE}'" in on_timeout.reason
