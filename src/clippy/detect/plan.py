"""Turn a scored timeline into clip plans: setup before the peak, payoff after, no repeats.

Live timing: the pipeline calls ``plan_clips`` after every 10 s segment. A moment near the end
of the recorded audio has no payoff yet; waiting one more segment gives a clip that ends on a
sentence boundary but costs 10 s of latency. ``PlanConfig.max_wait`` bounds that: once
``max_wait`` seconds after the peak are recorded the clip is made with what exists. A peak at
``x`` s into a segment is ``10 - x`` s old when that segment arrives, so only peaks in the last
``max_wait`` s of a segment ever wait, and they wait exactly one segment: glass-to-clip is at
most ``10 + max_wait`` s plus processing (14 s + processing with the default 4 s), and every
clip has at least ``max_wait`` s after its peak. A larger ``max_wait`` means fewer cut-short
payoffs and more waiting; ``final`` (end of stream, offline file) never waits. A moment still
going on at the end of a segment (a long shout) waits for the next one whatever its peak's age,
so it is not cut off mid-sentence: its bound counts from its end, up to a clip's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from clippy.detect.score import Timeline
from clippy.detect.titles import TITLE_CHARS, clip_title
from clippy.detect.words import PAUSE_SECONDS, Sentence, Word, split_sentences

__all__ = ["TITLE_CHARS", "ClipPlan", "PlanConfig", "plan_clips"]


@dataclass(frozen=True)
class PlanConfig:
    """Clip shaping rules (seconds)."""

    threshold: float = 1.0
    min_len: float = 15.0
    max_len: float = 60.0
    setup: float = 8.0  # at least this much before the moment starts …
    setup_extra: float = 6.0  # … and up to this much more to reach the sentence's start
    payoff: float = 3.0  # at least this much after the moment ends …
    payoff_extra: float = 6.0  # … and up to this much more to finish the sentence
    join_gap: float = 4.0  # seconds over threshold closer than this are one moment
    max_wait: float = 4.0  # see the module docstring
    edge: float = 0.25  # margin kept before a sentence's first word and after its last
    # Chat's evidence is moved back by its lag (ScoringConfig.chat_lag): a moment found by chat
    # is planned once this much has been recorded after it, when the reaction is all in.
    chat_settle: float = 30.0
    chat_span: float = 10.0  # a chat-found moment ends this long after its peak at most
    chat_join_gap: float = 15.0  # a dip in chat this short is still the same reaction
    # Chat's delay varies from one reaction to the next (its peak comes 35-52 s after a labelled
    # start, inter-quartile, on the Lightor train chat): a clip of a moment found by chat starts
    # this much before the moment's estimated start, so a slow reaction's moment is still in it.
    chat_lead: float = 10.0


@dataclass(frozen=True)
class ClipPlan:
    """A clip to make: range ``[start, end]`` (stream seconds), peak, score and why."""

    start: float
    end: float
    peak: float
    score: float
    reason: str
    title: str
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Moment:
    i0: int
    i1: int
    start: float
    end: float
    peak: float


def plan_clips(
    tl: Timeline,
    words: Sequence[Word],
    *,
    existing: Sequence[tuple[float, float]] = (),
    available_from: float = 0.0,
    available_until: float,
    final: bool,
    cfg: PlanConfig | None = None,
) -> list[ClipPlan]:
    """Clip plans for the moments in ``tl`` not yet clipped, best first.

    ``[available_from, available_until)`` is the recorded range a clip may use; ``existing``
    holds the ranges already clipped (a moment whose peak they cover is skipped, and a new clip
    never overlaps them). With ``final`` False a moment whose payoff is still being recorded is
    left for a later call (see the module docstring for the bound on that wait).
    """
    cfg = cfg or PlanConfig()
    sentences = split_sentences(words, max_words=None)
    plans: list[ClipPlan] = []
    for m in _moments(tl, cfg.threshold, cfg.join_gap, cfg.chat_join_gap):
        if _clipped(tl, m, existing, cfg):
            continue
        chat_found = _chat_found(tl, m.i0, m.i1)
        if chat_found:
            # Chat's evidence is a reaction smeared over its 25 s window: the moment itself is
            # around chat's own peak (not a phrase's that happens to overlap), not the whole run.
            peak = _chat_peak(tl, m.i0, m.i1)
            end = min(m.end, peak + cfg.chat_span)
            i1 = max(m.i0 + 1, min(m.i1, int(np.ceil(end - tl.t0))))
            m = replace(m, peak=peak, end=end, i1=i1)
        end, end_known = _payoff_end(m, sentences, available_until, cfg)
        if not final and not end_known and _waits(m, available_until, cfg):
            continue  # the payoff is still being recorded: decide with the next segment
        if not final and chat_found and available_until - m.end < cfg.chat_settle:
            continue  # chat is still reacting to it: its true extent and peak are not known
        start = _setup_start(m, sentences, cfg, chat_found, cfg.chat_lead if chat_found else 0.0)
        start, end = _fit(start, end, m.peak, available_from, available_until, cfg, sentences)
        lo, hi = available_from, available_until
        start, end = _avoid(existing, start, end, m.peak, lo, hi, cfg)
        if not start <= m.peak <= end or end - start < _shortest(cfg, lo, hi):
            continue
        seg = tl.score[m.i0 : m.i1]
        plans.append(
            ClipPlan(
                start=round(start, 3),
                end=round(end, 3),
                peak=round(m.peak, 3),
                score=round(float(seg.max() + 0.1 * seg.sum()), 3),
                reason=tl.reason_text(m.i0, m.i1),
                title=_title(tl, m, words, (start, end)),
                signals={"moment": [m.start, m.end], "max_score": round(float(seg.max()), 3)},
            )
        )
    return sorted(_merge(plans, cfg), key=lambda p: -p.score)


def _moments(
    tl: Timeline, threshold: float, join_gap: float, chat_join_gap: float = 0.0
) -> list[_Moment]:
    """Runs of seconds at or over the threshold, runs closer than ``join_gap`` joined (or
    ``chat_join_gap`` when chat carries both sides: one reaction that dipped for a moment)."""
    runs: list[tuple[int, int]] = []
    for i in np.flatnonzero(tl.score >= threshold):
        gap = join_gap
        if runs and i < len(tl.points) and _chat_led(tl, runs[-1][1] - 1) and _chat_led(tl, int(i)):
            gap = max(join_gap, chat_join_gap)
        if runs and i - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], int(i) + 1)
        else:
            runs.append((int(i), int(i) + 1))
    out = []
    for i0, i1 in runs:
        peak = tl.t0 + i0 + int(np.argmax(tl.score[i0:i1])) + 0.5
        out.append(_Moment(i0, i1, tl.t0 + i0, tl.t0 + i1, peak))
    return out


def _chat_led(tl: Timeline, i: int) -> bool:
    return "chat" in tl.points[i]


def _covers(ranges: Sequence[tuple[float, float]], t: float) -> bool:
    return any(s <= t <= e for s, e in ranges)


def _clipped(
    tl: Timeline, m: _Moment, existing: Sequence[tuple[float, float]], cfg: PlanConfig
) -> bool:
    """Whether a clip already made holds moment ``m``: one covers its peak, or ``m`` is the
    rest of a run that the window's start cut and a clip reaches within the join gap of it.

    The live window slides one segment at a time, so the windows before saw such a run whole
    and clipped it (or let it go); its remnant, with a peak that is only the highest of its
    last seconds, is no new moment. A reaction's tail left over the threshold after its clip
    ended (chat's reaction messages fade slowly) was planned again as a clip of its own: the
    false clip of the 10-minute planted streams (docs/detection.md).
    """
    if _covers(existing, m.peak):
        return True
    if m.i0 > 0 or tl.t0 <= 0:
        return False  # the run starts inside the window (or at the stream's start)
    gap = max(cfg.join_gap, cfg.chat_join_gap) if _chat_led(tl, m.i0) else cfg.join_gap
    return any(s <= m.start and e >= m.start - gap for s, e in existing)


def _sentence_at(sentences: Sequence[Sentence], t: float) -> Sentence | None:
    return next((s for s in sentences if s.start <= t <= s.end), None)


def moment_start(tl: Timeline, i: int, cfg: PlanConfig | None = None) -> float:
    """Where ``plan_clips`` places the start of a moment peaking at second ``i`` of ``tl``
    (its clip starts there, or ``chat_lead`` earlier when chat found it).

    The moment is the run of seconds around ``i`` at or over the threshold (or over half the
    peak, for a peak under the threshold: what ranking candidates needs); no sentences are
    known, so the start is the setup before the run (before the peak when chat found it).
    """
    cfg = cfg or PlanConfig()
    floor = min(cfg.threshold, 0.5 * float(tl.score[i]))
    i0 = i
    while i0 > 0 and tl.score[i0 - 1] >= floor:
        i0 -= 1
    m = _Moment(i0, i + 1, tl.t0 + i0, tl.t0 + i + 1, tl.t0 + i + 0.5)
    return _setup_start(m, (), cfg, _chat_found(tl, i0, i + 1))


def _chat_peak(tl: Timeline, i0: int, i1: int) -> float:
    """The stream time of the second in ``[i0, i1)`` where chat's own points are highest."""
    chat = [p.get("chat", 0.0) for p in tl.points[i0:i1]]
    return tl.t0 + i0 + int(np.argmax(chat)) + 0.5


def _chat_found(tl: Timeline, i0: int, i1: int) -> bool:
    """Whether chat's reaction gave most of the points of seconds ``[i0, i1)``."""
    if i1 <= i0 or len(tl.points) < i1:
        return False
    chat = sum(p.get("chat", 0.0) for p in tl.points[i0:i1])
    return chat >= 0.5 * float(tl.score[i0:i1].sum()) > 0


def _setup_start(
    m: _Moment,
    sentences: Sequence[Sentence],
    cfg: PlanConfig,
    chat_found: bool = False,
    lead: float = 0.0,
) -> float:
    """``setup`` (plus ``lead``) s before the moment, moved back to the start of the sentence
    under way then.

    A moment found by chat (already moved back by chat's lag, see ``ScoringConfig.chat_lag``)
    is a reaction spread over many seconds: its peak, not the run's first second, places it.
    """
    start = (m.peak if chat_found else m.start) - cfg.setup - lead
    s = _sentence_at(sentences, start)
    if s is not None and start - s.start <= cfg.setup_extra:
        start = s.start - cfg.edge
    return start


def _waits(m: _Moment, available_until: float, cfg: PlanConfig) -> bool:
    """Whether a moment whose payoff is not yet known waits for the next segment: its peak is
    under ``max_wait`` s old, or it is still going on (over the threshold in the last second
    recorded: clipped now, a long shout would be cut off mid-sentence) and not yet as long as
    a clip can hold. Glass-to-clip of a moment that goes on counts from its end."""
    if available_until - m.peak < cfg.max_wait:
        return True
    going_on = available_until - m.end < 1.0
    return going_on and m.end - m.start < cfg.max_len - cfg.setup


def _payoff_end(
    m: _Moment, sentences: Sequence[Sentence], available_until: float, cfg: PlanConfig
) -> tuple[float, bool]:
    """Where the payoff ends, and whether that is known from what is recorded so far.

    ``payoff`` s after the moment, moved on to the end of the sentence under way then; unknown
    while that sentence may still be going on at the end of the recording.
    """
    end = m.end + cfg.payoff
    if end > available_until:
        return end, False
    s = _sentence_at(sentences, end)
    if s is None:
        return end, True  # a pause: a natural place to stop
    if s.end + PAUSE_SECONDS >= available_until:
        return min(s.end + cfg.edge, m.end + cfg.payoff + cfg.payoff_extra), False
    if s.end - end <= cfg.payoff_extra:
        return s.end + cfg.edge, True
    return end, True


def _fit(
    start: float,
    end: float,
    peak: float,
    lo: float,
    hi: float,
    cfg: PlanConfig,
    sentences: Sequence[Sentence] = (),
) -> tuple[float, float]:
    """Clamp to the recorded range and to ``[min_len, max_len]``, keeping the peak inside.

    A clip grown to ``min_len`` then takes in the whole sentences its new edges fall in
    (``_to_sentences``): more setup and payoff, never a cut mid-word.
    """
    start, end = max(start, lo), min(end, hi)
    if end - start > cfg.max_len:
        # Too long: keep the peak, trimming the longer side first.
        start = max(start, min(peak - cfg.max_len * 0.6, end - cfg.max_len))
        end = start + cfg.max_len
    if end - start < cfg.min_len:
        # Too short: grow mostly backwards (setup is known, the future may not be recorded).
        grow = cfg.min_len - (end - start)
        start = max(lo, start - grow * 0.6)
        end = min(hi, start + cfg.min_len)
        start = max(lo, end - cfg.min_len)
        start, end = _to_sentences(start, end, sentences, lo, hi, cfg)
    return start, end


def _to_sentences(
    start: float, end: float, sentences: Sequence[Sentence], lo: float, hi: float, cfg: PlanConfig
) -> tuple[float, float]:
    """Put a grown clip's edges on sentence boundaries: ``start`` back to the start of the
    sentence under way there (or the one just before a pause), ``end`` on to the end of the
    sentence under way there (or the one just after a pause), each while the clip stays
    within ``max_len`` and the recording (an end only once its sentence is known to be over).
    Where that does not fit, an edge in a pause moves to the nearer side's word instead."""
    before = [s for s in sentences if s.start <= start and start - s.end <= cfg.setup_extra]
    if before:
        s = before[-1]
        if s.start - cfg.edge >= lo and end - (s.start - cfg.edge) <= cfg.max_len:
            start = s.start - cfg.edge
        elif s.end < start:
            start = _next_start(sentences, start, cfg, start)
    after = [s for s in sentences if s.end >= end and s.start - end <= cfg.payoff_extra]
    if after:
        e = after[0]
        if e.end + PAUSE_SECONDS < hi and e.end + cfg.edge - start <= cfg.max_len:
            end = e.end + cfg.edge
        elif e.start > end:
            end = _prev_end(sentences, end, cfg, end)
    return start, end


def _next_start(sentences: Sequence[Sentence], t: float, cfg: PlanConfig, default: float) -> float:
    """Just before the first word said after ``t`` (``default`` if none)."""
    return next((s.start - cfg.edge for s in sentences if s.start >= t), default)


def _prev_end(sentences: Sequence[Sentence], t: float, cfg: PlanConfig, default: float) -> float:
    """Just after the last word said before ``t`` (``default`` if none)."""
    ends = [s.end + cfg.edge for s in sentences if s.end <= t]
    return ends[-1] if ends else default


def _avoid(
    existing: Sequence[tuple[float, float]],
    start: float,
    end: float,
    peak: float,
    lo: float,
    hi: float,
    cfg: PlanConfig,
) -> tuple[float, float]:
    """Never clip the same seconds twice: begin after (or end before) clips already made,
    growing on the other side to keep ``min_len`` where the recording allows."""
    for s, e in sorted(existing):
        if s < end and e > start:
            if peak > e:
                start = e
                end = min(max(end, start + cfg.min_len), hi)
            else:
                end = s
                start = max(min(start, end - cfg.min_len), lo)
    return start, end


def _shortest(cfg: PlanConfig, lo: float, hi: float) -> float:
    """The shortest clip worth making: two thirds of ``min_len`` (or of all that is recorded)."""
    return 0.66 * min(cfg.min_len, hi - lo)


def _merge(plans: list[ClipPlan], cfg: PlanConfig) -> list[ClipPlan]:
    """Overlapping or touching plans become one clip when it fits ``max_len``; otherwise the
    later one starts where the earlier ends."""
    out: list[ClipPlan] = []
    for p in sorted(plans, key=lambda p: p.start):
        prev = out[-1] if out else None
        if prev is None or p.start > prev.end:
            out.append(p)
        elif max(p.end, prev.end) - prev.start <= cfg.max_len:
            best = max(prev, p, key=lambda x: x.score)
            reasons = dict.fromkeys((prev.reason + ", " + p.reason).split(", "))
            out[-1] = replace(
                best,
                start=prev.start,
                end=max(p.end, prev.end),
                score=round(prev.score + p.score, 3),
                reason=", ".join(r for r in reasons if r),
            )
        elif p.peak > prev.end:
            out.append(replace(p, start=prev.end))
    return out


def _title(tl: Timeline, m: _Moment, words: Sequence[Word], clip: tuple[float, float]) -> str:
    return clip_title(words, m.start, m.end, m.peak, tl.reasons[m.i0 : m.i1], clip)
