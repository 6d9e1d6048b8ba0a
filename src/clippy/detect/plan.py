"""Turn a scored timeline into clip plans: setup before the peak, payoff after, no repeats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clippy.detect.score import Timeline

PAUSE = 0.7  # seconds of no words that count as a sentence boundary


@dataclass(frozen=True)
class PlanConfig:
    """Clip shaping rules (seconds)."""

    threshold: float = 1.0
    min_len: float = 15.0
    max_len: float = 60.0
    setup: float = 8.0  # at least this much before the moment starts
    payoff: float = 3.0  # at least this much after it ends
    join_gap: float = 4.0  # moments closer than this are one moment
    # Live: a moment whose payoff is not recorded yet waits for the next segment, unless it is
    # already this old; then it is clipped with what exists (bounds glass-to-clip latency).
    max_wait: float = 6.0


@dataclass(frozen=True)
class ClipPlan:
    """A clip to make: range, peak, score and why."""

    start: float
    end: float
    peak: float
    score: float
    reason: str
    title: str
    signals: dict[str, Any] = field(default_factory=dict)


def _moments(tl: Timeline, threshold: float, join_gap: float) -> list[tuple[int, int]]:
    """Index runs ``[i0, i1)`` of seconds at or over the threshold, near runs joined."""
    runs: list[tuple[int, int]] = []
    for i in np.flatnonzero(tl.score >= threshold):
        if runs and i - runs[-1][1] < join_gap:
            runs[-1] = (runs[-1][0], int(i) + 1)
        else:
            runs.append((int(i), int(i) + 1))
    return runs


def sentence_bounds(words: Sequence[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Start and end times of sentence-like runs of words (split at pauses)."""
    starts: list[float] = []
    ends: list[float] = []
    prev_end: float | None = None
    for w in words:
        s, e = float(w["start"]), float(w["end"])
        if prev_end is None or s - prev_end >= PAUSE:
            if prev_end is not None:
                ends.append(prev_end)
            starts.append(s)
        prev_end = e
    if prev_end is not None:
        ends.append(prev_end)
    return starts, ends


def _covered(t: float, existing: Sequence[tuple[float, float]]) -> bool:
    return any(s <= t <= e for s, e in existing)


def _title(words: Sequence[dict[str, Any]], reasons: list[dict[str, Any]], peak: float) -> str:
    phrases = [p for r in reasons for p in r.get("phrases", [])]
    if phrases:
        return phrases[0].capitalize()[:60]
    near = [str(w["text"]) for w in words if abs(float(w["start"]) - peak) <= 4.0]
    if near:
        return " ".join(near)[:60].capitalize()
    if any("chat" in r for r in reasons):
        return "Chat goes wild"
    if any("loudness" in r for r in reasons):
        return "Loud moment"
    return "Highlight"


def plan_clips(
    tl: Timeline,
    words: Sequence[dict[str, Any]],
    *,
    existing: Sequence[tuple[float, float]] = (),
    available_from: float = 0.0,
    available_until: float,
    final: bool,
    cfg: PlanConfig | None = None,
) -> list[ClipPlan]:
    """Clip plans for the moments in ``tl`` not yet clipped, best first.

    ``[available_from, available_until)`` is the recorded range the clip may use; with
    ``final`` False a moment whose payoff is still being recorded is left for a later call.
    """
    cfg = cfg or PlanConfig()
    starts, ends = sentence_bounds(words)
    plans: list[ClipPlan] = []
    for i0, i1 in _moments(tl, cfg.threshold, cfg.join_gap):
        seg = tl.score[i0:i1]
        peak = tl.t0 + i0 + int(np.argmax(seg)) + 0.5
        if _covered(peak, existing) or any(p.start <= peak <= p.end for p in plans):
            continue
        m_start, m_end = tl.t0 + i0, tl.t0 + i1
        need_end = m_end + cfg.payoff
        if not final and need_end > available_until and available_until - m_end < cfg.max_wait:
            continue  # the payoff is still being recorded: decide with the next segment
        # Setup: back to the start of the sentence that was under way `setup` seconds earlier.
        start = m_start - cfg.setup
        before = [s for s in starts if s <= start]
        if before and start - before[-1] <= 6.0:
            start = before[-1]
        # Payoff: on to the end of the sentence under way when the payoff time is reached.
        end = need_end
        after = [e for e in ends if e >= end]
        if after and after[0] - end <= 6.0:
            end = after[0] + 0.3
        start, end = _fit(start, end, peak, available_from, available_until, cfg)
        if end - start < min(cfg.min_len, available_until - available_from) - 1e-6:
            continue
        overlap = [(s, e) for s, e in existing if s < end and e > start]
        if overlap:
            # Never clip the same moment twice: begin after the clip that touches this one.
            start = max(start, max(e for _, e in overlap))
            if peak < start or end - start < cfg.min_len * 0.66:
                continue
        reasons = tl.reasons[i0:i1]
        plans.append(
            ClipPlan(
                start=round(start, 3),
                end=round(end, 3),
                peak=round(peak, 3),
                score=round(float(seg.max() + 0.1 * seg.sum()), 3),
                reason=tl.reason_text(i0, i1),
                title=_title(words, reasons, peak),
                signals={"moment": [m_start, m_end], "max_score": float(seg.max())},
            )
        )
    return sorted(plans, key=lambda p: -p.score)


def _fit(
    start: float, end: float, peak: float, lo: float, hi: float, cfg: PlanConfig
) -> tuple[float, float]:
    start, end = max(start, lo), min(end, hi)
    if end - start > cfg.max_len:
        # Too long: keep the peak, trimming the longer side first.
        start = max(start, min(peak - cfg.max_len * 0.6, end - cfg.max_len))
        end = start + cfg.max_len
    if end - start < cfg.min_len:
        grow = cfg.min_len - (end - start)
        start = max(lo, start - grow * 0.6)
        end = min(hi, start + cfg.min_len)
        start = max(lo, end - cfg.min_len)
    return start, end
