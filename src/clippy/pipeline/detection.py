"""Detection over a stream's latest window, and turning the resulting plans into clips."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy import metrics
from clippy.clips.make import ClipQuotaExceeded, make_clip, remaining_clips_today
from clippy.clips.render import ClipSourceMissing
from clippy.clips.service import stream_clip_ranges
from clippy.config import Settings
from clippy.db.models import ChatMessage, Clip, Segment, Stream, User
from clippy.detect.audience import CHAT_HISTORY_SECONDS
from clippy.detect.chat import ChatLine
from clippy.detect.clip_length import effective_length
from clippy.detect.judge import LlmJudge, apply_verdict, candidate_for
from clippy.detect.plan import ClipPlan
from clippy.detect.preferences import DetectionPrefs, effective_prefs
from clippy.pipeline.windows import HISTORY_SECONDS, WindowInput, plan_window
from clippy.storage.base import ObjectStore
from clippy.transcripts.store import words_between

log = logging.getLogger(__name__)

OnClip = Callable[[int, Clip], None]


def load_window(session: Session, stream: Stream, settings: Settings) -> WindowInput | None:
    """The signals of the stream's latest window, up to the end of contiguous processed segments."""
    segs = list(
        session.scalars(
            select(Segment).where(Segment.stream_id == stream.id).order_by(Segment.start_time)
        )
    )
    available_until = 0.0
    for seg in segs:
        if seg.status not in ("done", "failed"):
            break
        available_until = seg.start_time + seg.duration
    if available_until <= 0:
        return None
    t0 = max(0.0, available_until - settings.detect_window_seconds)
    features = [
        (s.start_time, s.features)
        for s in segs
        if s.status == "done"
        and s.features
        and s.start_time + s.duration > t0
        and s.start_time < available_until
    ]
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


def detect_and_clip(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    settings: Settings,
    stream_id: int,
    *,
    final: bool = False,
    on_clip: OnClip | None = None,
    judge: LlmJudge | None = None,
) -> list[int]:
    """Score the stream's latest window and make a clip of each new moment; returns clip ids.

    The owner's key phrases (business plan) join the detector's; with a ``judge`` each
    candidate is kept (with the judge's title) or dropped before it is cut.
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
        window = replace(
            window,
            streamer_phrases=prefs.key_phrases,
            clip_command=prefs.clip_command,
            clip_length=effective_length(
                owner.settings if owner else None, stream.settings, settings.clip_length
            ),
        )
        final = final or stream.status == "ended"
        plans = plan_window(window, settings, final=final)
        left = remaining_clips_today(session, stream.user_id)
    made: list[int] = []
    for candidate in plans:
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
            clip = make_clip(
                session_factory,
                store,
                stream_id,
                [(plan.start, plan.end)],
                title=plan.title,
                reason=plan.reason,
                score=plan.score,
                peak_time=plan.peak,
                source="auto",
                signals=getattr(plan, "signals", None) or {},
            )
        except ClipQuotaExceeded:
            log.info("stream %s: clip quota used up, %s not clipped", stream_id, plan.reason)
            break
        except ClipSourceMissing as exc:
            log.warning("stream %s: cannot cut %.1f-%.1f: %s", stream_id, plan.start, plan.end, exc)
            continue
        metrics.CLIPS_MADE.labels("auto").inc()
        made.append(clip.id)
        if on_clip is not None:
            on_clip(clip.user_id, clip)
    return made
