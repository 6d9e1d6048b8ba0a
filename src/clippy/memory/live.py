"""Memory in live detection: cues in the latest window, retrieval, the clips to make.

Cost bound: retrieval (a database query) runs only for a window holding a reference cue or
a payoff ("finally!") that has not been clipped yet; finding cues is a regular-expression
pass over the words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from clippy.accounts import retention_cutoff
from clippy.detect import PAUSE_SECONDS, ChatLine, Word
from clippy.memory.arcs import ARC_HORIZON, arc_plan, arc_sentences, find_arc, payoffs
from clippy.memory.cues import CALLBACK, OUTCOME, Cue, chat_cues, find_cues
from clippy.memory.index import matching_chunks, memory_cue_times, moments_of, recent_chunks
from clippy.memory.passages import Similarity, best_passage
from clippy.memory.resolve import (
    MemoryPlan,
    callback_plan,
    find_prediction,
    prediction_plan,
    topic_from_words,
)
from clippy.transcribe import words_between

# A prediction is remembered this long (within retention): "I told you" an hour later still
# refers to it, a day later rarely does.
PREDICTION_HORIZON = timedelta(hours=2)
PREDICTION_CHUNKS = 1000  # 2 h of 10 s chunks is 720
SAME_CUE = 2.0  # seconds: a memory clip whose cue is this close is the same one


@dataclass(frozen=True)
class LiveWindow:
    """What memory needs of a stream's latest window: stream seconds ``[t0, t1)``."""

    user_id: int
    plan: str
    stream_id: int
    t0: float
    t1: float
    words: Sequence[Word]
    chat: Sequence[ChatLine] = ()


def window_cues(w: LiveWindow, *, final: bool) -> list[Cue]:
    """The window's callback and outcome cues whose sentence is over (or the stream is)."""
    cues = [c for c in find_cues(w.words) if c.kind in (CALLBACK, OUTCOME)]
    for c in chat_cues(w.chat):
        topic = topic_from_words(w.words, c)
        if topic:
            cues.append(Cue(c.kind, c.start, c.end, c.phrase, topic if c.kind == CALLBACK else ""))
    return [c for c in cues if _over(c.start, c.end, w, final)]


def plan_memory_clips(
    session: Session,
    w: LiveWindow,
    *,
    now: datetime,
    final: bool = False,
    similarity: Similarity | None = None,
) -> list[MemoryPlan]:
    """The clips memory makes for the window: callbacks (earlier setup + payoff),
    predictions that came true and story arcs (setup, attempts, payoff), each once.
    Nothing past the plan's retention is used."""
    cues = window_cues(w, final=final)
    ends = [p for p in payoffs(w.words) if _over(p.start, p.end, w, final)]
    if not cues and not ends:
        return []
    done = memory_cue_times(session, w.stream_id)
    since = retention_cutoff(w.plan, now)
    plans: list[MemoryPlan] = []

    def seen(t: float) -> bool:
        return any(abs(d - t) <= SAME_CUE for d in done + [p.cue_time for p in plans])

    for cue in cues:
        plan = None if seen(cue.start) else _resolve(session, w, cue, since, now, similarity)
        if plan is not None:
            plans.append(plan)
    for payoff in ends:
        if seen(payoff.start):
            continue
        # Only a said payoff reads this stream's last hour back.
        said = words_between(session, w.stream_id, payoff.start - ARC_HORIZON, w.t1)
        arc = find_arc(arc_sentences(said), payoff.start)
        if arc is not None:
            plans.append(arc_plan(arc, w.stream_id, w.t1))
    return plans


def _over(start: float, end: float, w: LiveWindow, final: bool) -> bool:
    """Whether a sentence at ``[start, end]`` is in this window and finished."""
    return w.t0 <= start and (final or end + PAUSE_SECONDS <= w.t1 - PAUSE_SECONDS)


def _resolve(
    session: Session,
    w: LiveWindow,
    cue: Cue,
    since: datetime,
    now: datetime,
    similarity: Similarity | None,
) -> MemoryPlan | None:
    exclude = (w.stream_id, cue.start - 1.0)
    if cue.kind == CALLBACK:
        chunks = matching_chunks(session, w.user_id, cue.topic, since=since, exclude=exclude)
        passage = best_passage(cue.topic, chunks, weak=cue.weak, similarity=similarity)
        if passage is None:
            return None
        moments = moments_of(session, passage.stream_id)
        return callback_plan(cue, passage, w.stream_id, w.t1, now, moments)
    horizon = max(since, now - PREDICTION_HORIZON)
    chunks = recent_chunks(
        session, w.user_id, since=horizon, before=exclude, limit=PREDICTION_CHUNKS
    )
    found = find_prediction(cue, chunks)
    if found is None:
        return None
    passage, prediction = found
    return prediction_plan(cue, passage, prediction, w.stream_id, w.t1, now)
