"""Detection over a stream's latest window, and turning the resulting plans into clips."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clippy import metrics
from clippy.clips import (
    ClipQuotaExceeded,
    ClipSourceMissing,
    make_clip,
    remaining_clips_today,
    stream_clip_ranges,
)
from clippy.config import Settings
from clippy.db import ChatMessage, Clip, Segment, SegmentStatus, Stream, StreamStatus, User, utcnow
from clippy.detect import (
    CHAT_HISTORY_SECONDS,
    ChatLine,
    ClipPlan,
    DetectionPrefs,
    LlmJudge,
    apply_verdict,
    candidate_for,
    effective_length,
    effective_prefs,
)
from clippy.errors import MediaError
from clippy.memory import LiveWindow, MemoryPlan, plan_memory_clips, shared_embedder
from clippy.pipeline.windows import HISTORY_SECONDS, WindowInput, plan_window
from clippy.storage import ObjectStore
from clippy.transcribe import words_between

log = logging.getLogger(__name__)

OnClip = Callable[[int, Clip], None]


def load_window(session: Session, stream: Stream, settings: Settings) -> WindowInput | None:
    """The signals of the stream's latest window, up to the end of contiguous processed segments."""
    available_until = _processed_until(session, stream.id)
    if available_until <= 0:
        return None
    t0 = max(0.0, available_until - settings.detect_window_seconds)
    # Only the window's segments are read: a long stream's history is not rescanned per segment.
    recent = session.execute(
        select(Segment.start_time, Segment.features).where(
            Segment.stream_id == stream.id,
            Segment.status == SegmentStatus.DONE,
            Segment.start_time + Segment.duration > t0,
            Segment.start_time < available_until,
        )
    )
    features = [(start, feats) for start, feats in recent if feats]
    chat = list(
        session.execute(
            select(
                ChatMessage.time, ChatMessage.author, ChatMessage.text, ChatMessage.badges
            ).where(
                ChatMessage.stream_id == stream.id,
                ChatMessage.time >= t0 - CHAT_HISTORY_SECONDS,
                ChatMessage.time < available_until,
            )
        )
    )
    return WindowInput(
        t0=t0,
        t1=available_until,
        features=features,
        words=words_between(session, stream.id, max(0.0, t0 - HISTORY_SECONDS), available_until),
        chat=sorted(
            (ChatLine(t, a, x, tuple(filter(None, b.split(",")))) for t, a, x, b in chat),
            key=lambda c: c.time,
        ),
        existing=stream_clip_ranges(session, stream.id),
    )


def _processed_until(session: Session, stream_id: int) -> float:
    """The end of the stream's processed segments that have no unprocessed one before them
    (0 when none): detection never looks past a segment still being processed."""
    finished = (SegmentStatus.DONE, SegmentStatus.FAILED)
    first_open = session.scalar(
        select(func.min(Segment.start_time)).where(
            Segment.stream_id == stream_id, Segment.status.not_in(finished)
        )
    )
    q = select(Segment.start_time, Segment.duration).where(Segment.stream_id == stream_id)
    if first_open is not None:
        q = q.where(Segment.start_time < first_open)
    last = session.execute(q.order_by(Segment.start_time.desc()).limit(1)).first()
    return 0.0 if last is None else float(last[0] + last[1])


def detect_and_clip(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    settings: Settings,
    stream_id: int,
    *,
    final: bool = False,
    on_clip: OnClip | None = None,
    judge: LlmJudge | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Score the stream's latest window and make a clip of each new moment; returns clip ids.

    The owner's key phrases (business plan) join the detector's; with a ``judge`` each
    candidate is kept (with the judge's title) or dropped before it is cut. Callbacks and
    predictions that came true are clipped first, with their earlier setup (clippy.memory).
    """
    with session_factory() as session:
        stream = session.get(Stream, stream_id)
        if stream is None:
            return []
        owner = session.get(User, stream.user_id)
        prefs = effective_prefs(owner.plan, owner.settings) if owner else DetectionPrefs()
        window = load_window(session, stream, settings)
        if window is None:
            return []
        final = final or stream.status == StreamStatus.ENDED
        clip_length = effective_length(
            owner.settings if owner else None, stream.settings, settings.clip_length
        )
        memory = plan_memory_clips(
            session,
            LiveWindow(
                stream.user_id, owner.plan if owner else "free", stream_id,
                window.t0, window.t1, window.words, window.chat,
            ),
            now=now or utcnow(),
            final=final,
            similarity=_similarity(settings),
        )  # fmt: skip
        left = remaining_clips_today(session, stream.user_id)
    try:
        made = _clip_memory(session_factory, store, stream_id, memory, window.words, prefs.prompt,
                            left, judge, on_clip)  # fmt: skip
    except ClipQuotaExceeded:
        log.info("stream %s: clip quota used up, memory clips not made", stream_id)
        return []
    with session_factory() as session:
        existing = stream_clip_ranges(session, stream_id)
    window = replace(
        window,
        streamer_phrases=prefs.key_phrases,
        clip_command=prefs.clip_command,
        clip_length=clip_length,
        existing=existing,
    )
    for candidate in plan_window(window, settings, final=final):
        if left is not None and len(made) >= left:
            break  # judge no more than can be clipped today
        plan: ClipPlan | None = candidate
        if judge is not None:
            verdict = judge.ask(
                candidate_for(candidate, window.words),
                prefs.prompt,
                key=f"{stream_id}:{candidate.peak:.1f}",
            )
            plan = apply_verdict(candidate, verdict)
        if plan is None:
            log.info("stream %s: the judge dropped %s", stream_id, candidate.reason)
            continue
        try:
            clip_id = _cut(
                session_factory, store, stream_id, [(plan.start, plan.end)], on_clip,
                title=plan.title, reason=plan.reason, score=plan.score, peak_time=plan.peak,
                signals=getattr(plan, "signals", None) or {},
            )  # fmt: skip
        except ClipQuotaExceeded:
            log.info("stream %s: clip quota used up, %s not clipped", stream_id, plan.reason)
            break
        if clip_id is not None:
            made.append(clip_id)
    return made


def _similarity(settings: Settings) -> Callable[[str, str], float] | None:
    embedder = shared_embedder() if settings.memory_embeddings else None
    return embedder.similarity if embedder is not None else None


def _clip_memory(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    stream_id: int,
    plans: Sequence[MemoryPlan],
    words: Sequence[Any],
    prompt: str,
    left: int | None,
    judge: LlmJudge | None,
    on_clip: OnClip | None,
) -> list[int]:
    """Cut the clips memory planned (earlier setup + payoff), the judge asked first with the
    earlier passage as context; raises ``ClipQuotaExceeded`` when the day's clips are used."""
    made: list[int] = []
    for mp in plans:
        if left is not None and len(made) >= left:
            break
        here = [(sp.start, sp.end) for sp in mp.spans if sp.stream_id == stream_id]
        earlier = [(sp.stream_id, sp.start, sp.end) for sp in mp.spans if sp.stream_id != stream_id]
        signals: dict[str, Any] = {"memory": {"kind": mp.kind, "cue_time": mp.cue_time}}
        title = mp.title
        if judge is not None:
            s0, e0 = here[-1]
            verdict = judge.ask(
                candidate_for(ClipPlan(s0, e0, mp.cue_time, mp.score, mp.reason, title), words),
                prompt,
                key=f"{stream_id}:memory:{mp.cue_time:.1f}",
                context=(mp.earlier_text,),
            )
            if verdict is not None and not verdict.keep:
                log.info("stream %s: the judge dropped %s", stream_id, mp.reason)
                continue
            if verdict is not None:
                title = verdict.title or title
                signals["llm"] = {"status": "kept", "score": verdict.score, "title": verdict.title}
        clip_id = _cut(
            session_factory, store, stream_id, here, on_clip, earlier=earlier, title=title,
            reason=mp.reason, score=mp.score, peak_time=mp.cue_time, signals=signals,
        )  # fmt: skip
        if clip_id is not None:
            made.append(clip_id)
    return made


def _cut(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    stream_id: int,
    ranges: Sequence[tuple[float, float]],
    on_clip: OnClip | None,
    **fields: Any,
) -> int | None:
    """Make one automatic clip and announce it; ``None`` when its source is gone or cannot
    be cut (logged): one bad candidate, e.g. a range reaching into a gap in the recording,
    must not stop the stream's other clips."""
    try:
        clip = make_clip(session_factory, store, stream_id, ranges, source="auto", **fields)
    except (ClipSourceMissing, MediaError) as exc:
        log.warning("stream %s: cannot cut %s: %s", stream_id, list(ranges), exc)
        return None
    metrics.CLIPS_MADE.labels("auto").inc()
    if on_clip is not None:
        on_clip(clip.user_id, clip)
    return clip.id
