"""Story arcs: a goal set, attempts that fail, then the payoff, within an hour (pure).

"let's try this jump" … "again" … "attempt number 3" … "finally! I did it" becomes one clip
of the setup, at most two attempts (the first and the last before the payoff) and the
payoff. Every part is needed: a payoff with nothing set up before it, a goal without
attempts, or attempts spread over more than an hour make nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from clippy.detect import PAUSE_SECONDS, Sentence, Word
from clippy.memory.cues import normalise
from clippy.memory.resolve import LEAD, TAIL, MemoryPlan, Span, join_spans, title_of

STORY = "story"
ARC_HORIZON = 3600.0  # seconds from the setup to the payoff
MIN_ATTEMPTS = 2
ATTEMPT_SPAN = 6.0  # seconds kept of an attempt: the try and the reaction

_SETUP = re.compile(
    r"\b(?:lets|let us|im going to|im gonna|i will|ill) (?:try|attempt|go for)\b"
    r"|\b(?:first|1st) (?:try|attempt)\b|\b(?:attempt|try) (?:number )?(?:one|1)\b"
)
_NUMBERED = re.compile(r"\b(?:attempt|try) (?:number )?(?P<n>\d+|two|three|four|five|six|seven)\b")
_ATTEMPT = re.compile(
    r"\b(?:again|one more (?:try|time)|try (?:it )?again|retry|i died|im dead|dead again"
    r"|i fell|missed (?:it|again)|failed|so close|not again)\b"
)
_PAYOFF = re.compile(
    r"\b(?:finally|i did it|we did it|i made it|we made it|i got it|we got it|i landed it)\b"
)
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@dataclass(frozen=True)
class Arc:
    """A story found in one stream: the setup, every attempt after it, the payoff."""

    setup: Sentence
    attempts: tuple[Sentence, ...]
    payoff: Sentence
    count: int  # attempts, as counted or as said ("attempt number 5")


def find_arc(sentences: Sequence[Sentence], payoff_at: float) -> Arc | None:
    """The arc whose payoff is the sentence said at ``payoff_at``: the latest setup
    within ``ARC_HORIZON`` before it with at least ``MIN_ATTEMPTS`` attempts in between."""
    # The sentence holding that time (read back from the store it may start a little earlier).
    payoff = max(
        (s for s in sentences if s.start - 1e-3 <= payoff_at <= s.end),
        key=lambda s: s.start,
        default=None,
    )
    if payoff is None or not _PAYOFF.search(normalise(payoff.text)):
        return None
    before = [s for s in sentences if payoff.start - ARC_HORIZON <= s.start < payoff.start]
    for i in range(len(before) - 1, -1, -1):
        setup = before[i]
        if not _SETUP.search(normalise(setup.text)):
            continue
        attempts = tuple(s for s in before[i + 1 :] if _is_attempt(s))
        if len(attempts) >= MIN_ATTEMPTS:
            said = max((_said_number(s) for s in (setup, *attempts)), default=0)
            return Arc(setup, attempts, payoff, max(len(attempts), said))
    return None


def arc_sentences(words: Sequence[Word]) -> list[Sentence]:
    """``words`` split at pauses and at sentence marks: the recogniser's word times often
    bridge a short pause, and "let's try this jump. No, I fell again." is a setup and an
    attempt."""
    runs: list[list[Word]] = []
    prev: Word | None = None
    for w in words:
        if (
            prev is None
            or float(w["start"]) - float(prev["end"]) > PAUSE_SECONDS
            or str(prev["text"]).rstrip().endswith((".", "?", "!"))
        ):
            runs.append([])
        runs[-1].append(w)
        prev = w
    return [
        Sentence(float(r[0]["start"]), float(r[-1]["end"]), " ".join(str(w["text"]) for w in r))
        for r in runs
    ]


def payoffs(words: Sequence[Word]) -> list[Sentence]:
    """The sentences of ``words`` that say a payoff (the cue that makes looking back for an
    arc worth a query)."""
    return [s for s in arc_sentences(words) if _PAYOFF.search(normalise(s.text))]


def arc_plan(arc: Arc, stream_id: int, until: float) -> MemoryPlan:
    """The arc's clip: the setup, the first and last attempt, then the payoff and reaction."""
    shown = arc.attempts if len(arc.attempts) <= 2 else (arc.attempts[0], arc.attempts[-1])
    spans = [_span(stream_id, arc.setup, arc.setup.end + TAIL)]
    spans += [_span(stream_id, a, a.start + ATTEMPT_SPAN) for a in shown]
    spans.append(_span(stream_id, arc.payoff, min(until, arc.payoff.end + TAIL)))
    minutes = max(1, round((arc.payoff.start - arc.setup.start) / 60))
    return MemoryPlan(
        spans=join_spans(spans),
        reason=f"{arc.count} attempts over {minutes} min, finally",
        title=title_of(arc.setup.text),
        score=round(1.0 + min(arc.count, 10) / 10, 3),
        cue_time=round(arc.payoff.start, 3),
        kind=STORY,
        earlier_text=arc.setup.text,
    )


def _span(stream_id: int, s: Sentence, end: float) -> Span:
    return Span(stream_id, max(0.0, s.start - LEAD), max(end, s.end))


def _is_attempt(s: Sentence) -> bool:
    text = normalise(s.text)
    return bool(_ATTEMPT.search(text) or _NUMBERED.search(text)) and not _PAYOFF.search(text)


def _said_number(s: Sentence) -> int:
    m = _NUMBERED.search(normalise(s.text))
    if m is None:
        return 0
    n = m.group("n")
    return int(n) if n.isdigit() else _WORD_NUMBERS[n]
