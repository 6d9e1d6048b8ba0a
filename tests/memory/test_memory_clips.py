"""Memory through the real pipeline stages: generated speech (espeak-ng) as WebM segments,
mezzanine, recognition, detection, cutting and a Shorts export, with a fake clock for days
(SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from clippy.accounts.plans import get_plan
from clippy.clips.editing import trimmed_parts
from clippy.clips.make import make_clip
from clippy.config import Settings
from clippy.db.models import Clip, ExportJob, Segment, Stream, TranscriptSegment, User
from clippy.eval.voice import speak
from clippy.export.jobs import create_export
from clippy.export.plan import EARLIER_TEXT, NOW_TEXT, ExportOptions, plan_export
from clippy.export.worker import run_job
from clippy.ingest.protocol import SegmentHeader
from clippy.ingest.segments import store_segment
from clippy.pipeline import stages
from clippy.pipeline.detection import detect_and_clip
from clippy.runtime import Runtime
from clippy.web.app import build_context
from tests.fixtures.media import (
    CALM,
    SegmentFile,
    make_stream_video,
    mix_speech,
    split_webm_segments,
)

# Five generated streams, recognised and cut, and a Shorts render: measured 6-16 min on a
# loaded 2-core machine (fixture set-up counts toward the first test).
pytestmark = pytest.mark.timeout(1800)

FALL = "oh no i just fell off the bridge"
CALLBACK = "remember yesterday when i fell off the bridge"
LOOK_ALIKE = "i remember the map now"
PREDICTION = "i bet i win this next round"
OUTCOME = "i told you i called it"
# A story in one continuous recording: the goal and a fall, another try, then the payoff,
# far enough apart to be three ranges. (Whisper tiny.en, given the previous segment as context,
# hears "finally I did it" here as "I only did it"; "yes I made it" it hears.)
STORY = (
    ["okay let's try this jump", "no i fell again"],
    [
        CALM[5],
        "okay here we go again",
    ],  # (whisper tiny hears "attempt number three" as "september 3")
    [CALM[7], "yes i made it"],
)
# Whisper tiny.en hears the fixtures' en-us+f2 voice say "I bet" as "I met"; this one it hears.
VOICE = "en+m3"


@dataclass(frozen=True)
class Spoken:
    """A generated stream's segments and where each planted line was said."""

    segments: list[SegmentFile]
    said: dict[str, float]


def _speak(d: Path, lines: list[str], total: float, start: float = 0.0) -> Spoken:
    """``lines`` spoken in a row at normal volume, as WebM segments starting at ``start``."""
    d.mkdir(parents=True, exist_ok=True)
    parts, t, said = [], 0.5, {}
    for k, line in enumerate(lines):
        wav = d / f"l{k}.wav"
        dur = speak(line, wav, voice=VOICE)
        said[line] = start + t
        parts.append((t, wav, 0.0))
        t += dur + 0.9
    assert t < total
    mix_speech(parts, total, d / "speech.wav")
    video = make_stream_video(d / "stream.mp4", total, d / "speech.wav", size="320x180")
    segs = split_webm_segments(video, d / "segs")
    return Spoken([_moved(s, start) for s in segs], said)


def _moved(seg: SegmentFile, start: float) -> SegmentFile:
    return SegmentFile(seg.path, seg.seq, seg.start_time + start, seg.duration)


@dataclass(frozen=True)
class Broadcasts:
    day1: Spoken
    day2: Spoken
    look_alike: Spoken
    before: Spoken  # a prediction …
    after: Spoken  # … and, ten minutes later in the same stream, the outcome
    story: Spoken  # one stream: setup at 0 s, another attempt at ~40 s, the payoff at ~75 s


@pytest.fixture(scope="module")
def broadcasts(tmp_path_factory: pytest.TempPathFactory) -> Broadcasts:
    d = tmp_path_factory.mktemp("memory-streams")
    after = _speak(d / "after", [CALM[2], OUTCOME, CALM[3]], 20.0, start=600.0)
    parts = [_speak(d / f"story{k}", lines, 35.0, start=35.0 * k) for k, lines in enumerate(STORY)]
    story = Spoken(
        [
            SegmentFile(seg.path, n, seg.start_time, seg.duration)
            for n, seg in enumerate(seg for part in parts for seg in part.segments)
        ],
        {line: t for part in parts for line, t in part.said.items()},
    )
    return Broadcasts(
        day1=_speak(d / "day1", [CALM[0], FALL, CALM[1]], 20.0),
        day2=_speak(d / "day2", [CALM[2], CALLBACK, CALM[3]], 20.0),
        look_alike=_speak(d / "look", [CALM[2], LOOK_ALIKE, CALM[3]], 20.0),
        before=_speak(d / "before", [CALM[0], PREDICTION, CALM[1]], 20.0),
        after=Spoken(
            [SegmentFile(s.path, s.seq + 2, s.start_time, s.duration) for s in after.segments],
            after.said,
        ),
        story=story,
    )


@pytest.fixture
def ctx(tmp_path: Path, db_url: str) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key="x" * 40)
    context = build_context(settings)
    stages.init_worker(settings, watch_parent=False)
    yield context
    context.engine.dispose()


def _user(ctx: Runtime, email: str, plan: str) -> int:
    with ctx.session_factory() as s:
        user = User(email=email, password_hash="x", plan=plan)
        s.add(user)
        s.commit()
        return user.id


def _record(ctx: Runtime, user_id: int, name: str, segments: list[SegmentFile]) -> int:
    """A stream of ``user_id`` with every segment stored and processed, then ended."""
    with ctx.session_factory() as s:
        stream = Stream(user_id=user_id, client_stream_id=name, status="live")
        s.add(stream)
        s.commit()
        stream_id = stream.id
    _process(ctx, user_id, stream_id, segments)
    with ctx.session_factory() as s:
        s.execute(update(Stream).where(Stream.id == stream_id).values(status="ended"))
        s.commit()
    return stream_id


def _process(ctx: Runtime, user_id: int, stream_id: int, segments: list[SegmentFile]) -> None:
    for seg in segments:
        header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
        stored = store_segment(
            ctx.session_factory, ctx.store, ctx.settings, user_id, stream_id, header,
            seg.path.read_bytes(),
        )  # fmt: skip
        stages.process_segment(stored.segment_id)


def _age(ctx: Runtime, stream_id: int, by: timedelta) -> None:
    """The fake clock: what the stream recorded so far was said ``by`` earlier."""
    with ctx.session_factory() as s:
        for model, column in (
            (TranscriptSegment, TranscriptSegment.created_at),
            (Segment, Segment.received_at),
        ):
            for row in s.scalars(select(model).where(model.stream_id == stream_id)):
                setattr(row, column.key, getattr(row, column.key) - by)
        s.commit()


def _clips(ctx: Runtime, stream_id: int) -> list[Clip]:
    with ctx.session_factory() as s:
        clips = list(s.scalars(select(Clip).where(Clip.stream_id == stream_id).order_by(Clip.id)))
        for c in clips:
            _ = c.ranges
        return clips


def _memory_clips(ctx: Runtime, stream_id: int) -> list[Clip]:
    return [c for c in _clips(ctx, stream_id) if "memory" in c.signals]


def _set_plan(ctx: Runtime, user_id: int, plan: str) -> None:
    with ctx.session_factory() as s:
        s.execute(update(User).where(User.id == user_id).values(plan=plan))
        s.commit()


def test_a_callback_20_hours_later_makes_one_clip_of_both_and_exports_with_the_card(
    ctx: Runtime, broadcasts: Broadcasts, tmp_path: Path
) -> None:
    user = _user(ctx, "memory@example.test", "free")
    day1 = _record(ctx, user, "day1", broadcasts.day1.segments)
    _age(ctx, day1, timedelta(hours=20))
    day2 = _record(ctx, user, "day2", broadcasts.day2.segments)

    # Free keeps 12 h: yesterday's fall is past retention and is never used.
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, day2, final=True)
    assert _memory_clips(ctx, day2) == []

    _set_plan(ctx, user, "pro")  # 48 h
    announced: list[Clip] = []
    detect_and_clip(
        ctx.session_factory, ctx.store, ctx.settings, day2, final=True,
        on_clip=lambda _u, c: announced.append(c),
    )  # fmt: skip
    (clip,) = _memory_clips(ctx, day2)
    assert clip.id in [c.id for c in announced]
    assert clip.status == "ready", clip.error
    assert clip.reason.startswith("callback to '") and clip.reason.endswith(" 20 h ago")
    earlier, now = clip.ranges
    assert earlier.stream_id == day1 and now.stream_id is None  # both ranges, in order
    fall, callback = broadcasts.day1.said[FALL], broadcasts.day2.said[CALLBACK]
    assert earlier.start <= fall + 1.0 <= earlier.end, (earlier.start, earlier.end, fall)
    assert now.start <= callback + 1.0 <= now.end, (now.start, now.end, callback)
    assert clip.duration == pytest.approx(
        (earlier.end - earlier.start) + (now.end - now.start), abs=0.2
    )
    assert clip.transcript_text.lower().count("bridge") >= 2  # the fall and the callback

    # Running detection again makes no second clip of the same callback.
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, day2, final=True)
    assert len(_memory_clips(ctx, day2)) == 1

    # Shorts: the earlier range is marked "Earlier…", then a "Now" card before the payoff.
    pieces = [(r.start, r.end) for r in clip.ranges]
    plan = plan_export(ExportOptions(preset="shorts"), get_plan("pro"), pieces, clip.duration)
    texts = [o.text for o in plan.overlays]
    assert texts == [EARLIER_TEXT, NOW_TEXT]
    with ctx.session_factory() as s:
        owner = s.get(User, user)
        assert owner is not None
        job = create_export(s, owner, clip.id, ExportOptions(preset="shorts"))
        job.status = "running"
        s.commit()
        job_id = job.id
    assert run_job(ctx.session_factory, ctx.store, job_id, threading.Event()) is not None
    with ctx.session_factory() as s:
        done = s.get(ExportJob, job_id)
        assert done is not None and done.status != "failed", done.error
        assert done.result, done.result

    # Trimming (the clip page's steps) keeps each part in its stream: the setup stays day 1's.
    with ctx.session_factory() as s:
        full = s.get(Clip, clip.id)
        assert full is not None
        stream_id, earlier_parts, own = trimmed_parts(full, 0.5, clip.duration - 0.5)
    assert stream_id == day2 and [sid for sid, _, _ in earlier_parts] == [day1]
    made = make_clip(
        ctx.session_factory, ctx.store, stream_id, own, earlier=earlier_parts, source="trim"
    )
    (trimmed,) = [c for c in _clips(ctx, day2) if c.id == made.id]
    assert trimmed.status == "ready", trimmed.error
    assert [r.stream_id for r in trimmed.ranges] == [day1, None]
    assert trimmed.duration == pytest.approx(clip.duration - 1.0, abs=0.05)


def test_a_look_alike_makes_no_callback_clip(ctx: Runtime, broadcasts: Broadcasts) -> None:
    user = _user(ctx, "lookalike@example.test", "pro")
    day1 = _record(ctx, user, "day1", broadcasts.day1.segments)
    _age(ctx, day1, timedelta(hours=20))
    other = _record(ctx, user, "look", broadcasts.look_alike.segments)
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, other, final=True)
    assert _memory_clips(ctx, other) == []


def test_a_prediction_that_comes_true_is_clipped_retroactively(
    ctx: Runtime, broadcasts: Broadcasts
) -> None:
    user = _user(ctx, "bet@example.test", "pro")
    with ctx.session_factory() as s:
        stream = Stream(user_id=user, client_stream_id="bet", status="live")
        s.add(stream)
        s.commit()
        sid = stream.id
    _process(ctx, user, sid, broadcasts.before.segments)
    _age(ctx, sid, timedelta(minutes=10))
    # Nothing to clip yet: a prediction alone is only remembered.
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, sid)
    assert _memory_clips(ctx, sid) == []
    _process(ctx, user, sid, broadcasts.after.segments)
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, sid)

    (clip,) = _memory_clips(ctx, sid)
    assert clip.status == "ready", clip.error
    assert clip.reason.startswith("prediction 'i bet i"), clip.reason
    assert clip.reason.endswith("' came true 10 min later"), clip.reason
    bet, told = broadcasts.before.said[PREDICTION], broadcasts.after.said[OUTCOME]
    first, last = clip.ranges
    assert first.start <= bet + 1.0 <= first.end and last.start <= told + 1.0 <= last.end
    assert first.stream_id is None and last.stream_id is None  # one stream, two ranges


def test_a_story_of_attempts_makes_one_clip_of_setup_attempts_and_payoff(
    ctx: Runtime, broadcasts: Broadcasts
) -> None:
    user = _user(ctx, "story@example.test", "pro")
    sid = _record(ctx, user, "story", broadcasts.story.segments)
    detect_and_clip(ctx.session_factory, ctx.store, ctx.settings, sid, final=True)

    (clip,) = [c for c in _memory_clips(ctx, sid) if c.signals["memory"]["kind"] == "story"]
    assert clip.status == "ready", clip.error
    assert clip.reason.endswith(" attempts over 1 min, finally"), clip.reason
    assert int(clip.reason.split()[0]) >= 2, clip.reason
    setup, payoff = broadcasts.story.said[STORY[0][0]], broadcasts.story.said[STORY[2][-1]]
    first, *_, last = clip.ranges
    assert len(clip.ranges) == 3 and all(r.stream_id is None for r in clip.ranges)
    assert first.start <= setup + 1.0 <= first.end and last.start <= payoff + 1.0 <= last.end
