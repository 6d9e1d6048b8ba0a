"""From a cue and what it refers to, the clip to make: earlier setup + current payoff (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from clippy.detect import Sentence, Word, split_sentences
from clippy.memory.cues import (
    CALLBACK,
    OUTCOME,
    PREDICTION,
    Cue,
    content_terms,
    may_predict,
    sentence_cues,
)
from clippy.memory.passages import Chunk, Passage, lexical_match

LEAD = 2.0  # seconds kept before a remembered sentence / the cue …
TAIL = 4.0  # … and after it (the reaction)
EARLIER_MAX = 20.0  # an earlier range stays a reminder, not a second clip
MOMENT_REACH = 15.0  # a detected moment this close to the passage is part of it
JOIN_GAP = 20.0  # ranges of one stream closer than this become one range


@dataclass(frozen=True)
class Span:
    """A range of one stream, in that stream's seconds."""

    stream_id: int
    start: float
    end: float


@dataclass(frozen=True)
class MemoryPlan:
    """A clip made from memory: ``spans`` in output order (earlier first), why, and where
    the current moment is (``cue_time``, for de-duplication)."""

    spans: tuple[Span, ...]
    reason: str
    title: str
    score: float
    cue_time: float
    kind: str
    earlier_text: str


def ago(then: datetime, now: datetime) -> str:
    """A short age, as people say it: "45 s", "12 min", "20 h", "3 days"."""
    s = max(0.0, (now - then).total_seconds())
    if s < 90:
        return f"{s:.0f} s"
    if s < 90 * 60:
        return f"{s / 60:.0f} min"
    if s < 48 * 3600:
        return f"{s / 3600:.0f} h"
    return f"{s / 86400:.0f} days"


def earlier_span(
    passage: Passage, moments: Sequence[tuple[float, float]] = (), lo: float = 0.0
) -> Span:
    """The earlier range: the remembered sentence, grown to a detected moment (a clip's
    range of that stream) that lies close to it, at most ``EARLIER_MAX`` s."""
    start, end = passage.start - LEAD, passage.end + TAIL
    for m0, m1 in moments:
        if m0 - MOMENT_REACH <= passage.end and m1 + MOMENT_REACH >= passage.start:
            start, end = min(start, m0), max(end, m1)
    if end - start > EARLIER_MAX:
        # Keep the sentence itself and what follows it (the fall after "watch this").
        start = max(start, passage.start - LEAD)
        end = start + EARLIER_MAX
    return Span(passage.stream_id, max(lo, start), end)


def now_span(stream_id: int, cue: Cue, until: float) -> Span:
    """The current range: the cue's sentence and the reaction after it."""
    return Span(stream_id, max(0.0, cue.start - LEAD), min(until, cue.end + TAIL))


def join_spans(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Spans of one stream that overlap or nearly touch become one (a clip's ranges must be
    in order and must not overlap)."""
    out: list[Span] = []
    for sp in spans:
        prev = out[-1] if out else None
        if prev and prev.stream_id == sp.stream_id and sp.start - prev.end < JOIN_GAP:
            out[-1] = Span(sp.stream_id, prev.start, max(prev.end, sp.end))
        else:
            out.append(sp)
    return tuple(out)


def callback_plan(
    cue: Cue, passage: Passage, stream_id: int, until: float, now: datetime,
    moments: Sequence[tuple[float, float]] = (),
) -> MemoryPlan:  # fmt: skip
    """A callback's clip: the remembered moment, then the callback itself."""
    spans = join_spans([earlier_span(passage, moments), now_span(stream_id, cue, until)])
    quote = _quote(cue.topic)
    return MemoryPlan(
        spans=spans,
        reason=f"callback to '{quote}' {ago(passage.said_at, now)} ago",
        title=title_of(passage.text),
        score=round(1.0 + passage.match, 3),
        cue_time=round(cue.start, 3),
        kind=CALLBACK,
        earlier_text=passage.text,
    )


def find_prediction(outcome: Cue, chunks: Sequence[Chunk]) -> tuple[Passage, Cue] | None:
    """The prediction an outcome confirms: the one sharing most words with what the outcome
    says came true, else (a bare "I told you!") the latest one before it. An outcome that
    names something no prediction mentions ("I told you the rules") confirms none."""
    found: list[tuple[float, datetime, float, Passage, Cue]] = []
    for chunk in chunks:
        if not may_predict(chunk.words):
            continue
        for s in split_sentences(chunk.words, max_words=None):
            for c in sentence_cues(s):
                if c.kind == PREDICTION:
                    fit = lexical_match(outcome.topic, c.topic) if outcome.topic else 0.0
                    p = Passage(chunk.stream_id, s.start, s.end, s.text, chunk.said_at, fit)
                    found.append((fit, chunk.said_at, s.start, p, c))
    if not found:
        return None
    fit, _, _, passage, cue = max(found, key=lambda f: (f[0], f[1], f[2]))
    if fit == 0 and content_terms(outcome.topic):
        return None
    return passage, cue


def prediction_plan(
    outcome: Cue, passage: Passage, prediction: Cue, stream_id: int, until: float, now: datetime
) -> MemoryPlan:
    """A prediction that came true: the prediction, then the outcome (one range when close)."""
    spans = join_spans([earlier_span(passage), now_span(stream_id, outcome, until)])
    return MemoryPlan(
        spans=spans,
        reason=(
            f"prediction '{_quote(prediction.phrase)}' came true {ago(passage.said_at, now)} later"
        ),
        title=title_of(passage.text),
        score=round(1.0 + max(passage.match, 0.5), 3),
        cue_time=round(outcome.start, 3),
        kind=OUTCOME,
        earlier_text=passage.text,
    )


def topic_from_words(words: Sequence[Word], cue: Cue) -> str:
    """The streamer's words around a chat cue: what viewers are reacting to."""
    near = [s for s in split_sentences(words, max_words=None) if _overlaps(s, cue)]
    return " ".join(s.text for s in near)


def _overlaps(s: Sentence, cue: Cue) -> bool:
    return s.end >= cue.start and s.start <= cue.end


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def title_of(text: str) -> str:
    """A clip title from what was said: capitalised, without end marks, at most 60 chars."""
    text = " ".join(text.strip(" .!?").split())
    return _quote(text[:1].upper() + text[1:], 60) if text else ""
