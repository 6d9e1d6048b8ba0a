"""Combine the signals into one score per second, keeping what contributed (the reason)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clippy.detect.chat import chat_multiplier
from clippy.detect.phrases import COMMAND_PHRASES, find_phrases
from clippy.detect.sentiment import sentiment_series, sentiment_swings
from clippy.detect.signals import rolling_baseline


@dataclass(frozen=True)
class ScoringConfig:
    """Weights and thresholds. A score of 1.0 is "worth a clip"."""

    threshold: float = 1.0
    loud_free_db: float = 6.0  # dB over baseline that count for nothing (normal animation)
    loud_db_per_point: float = 6.0  # each further 6 dB adds a point: +12 dB → 1.0
    phrase_points: float = 0.6  # a hype phrase alone is not a moment; with a spike it is
    command_points: float = 1.2  # "clip that": the streamer asks for a clip
    swing_points: float = 1.2  # times the swing magnitude (0 … 2)
    min_swing: float = 1.0  # e.g. 'love it' (+0.8) right after 'hate it' (-0.6)
    strong_sentiment: float = 0.75
    chat_min_multiplier: float = 3.0
    chat_points: float = 1.0  # times log2(multiplier) - 1.5: x4 = 0.5, x8 = 1.5, x30 = 3.4
    shout_bonus: float = 0.3
    laughter_points: float = 0.6
    baseline_seconds: int = 60


@dataclass
class WindowSignals:
    """Everything known about ``[t0, t1)``: per-second audio features, words, chat times."""

    t0: float
    t1: float
    loudness: np.ndarray  # dBFS per second of [t0 - history, t1)
    history: int  # leading seconds of loudness/centroid before t0 (baseline context)
    centroid: np.ndarray | None = None
    laughter: np.ndarray | None = None
    words: Sequence[dict[str, Any]] = ()
    chat_times: Sequence[float] = ()
    phrases: Sequence[str] = ()


@dataclass
class Timeline:
    """Score and its reasons for each second of ``[t0, t0 + len(score))``."""

    t0: float
    score: np.ndarray
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def reason_text(self, i0: int, i1: int) -> str:
        """Human-readable reason for seconds ``[i0, i1)``: the strongest value of each signal."""
        merged: dict[str, Any] = {}
        for r in self.reasons[i0:i1]:
            for k, v in r.items():
                if k == "phrases":
                    merged.setdefault(k, [])
                    merged[k] += [p for p in v if p not in merged[k]]
                elif k not in merged or abs(v) > abs(merged[k]):
                    merged[k] = v
        parts = []
        if "loudness" in merged:
            parts.append(f"loudness +{merged['loudness']:.0f} dB")
        parts += [f"'{p}'" for p in merged.get("phrases", [])[:3]]
        if "chat" in merged:
            parts.append(f"chat x{merged['chat']:.0f}")
        if "sentiment" in merged:
            parts.append(f"sentiment swing {merged['sentiment']:+.1f}")
        if "laughter" in merged:
            parts.append("laughter")
        if "shout" in merged:
            parts.append("shouting")
        return ", ".join(parts)


def score_window(sig: WindowSignals, cfg: ScoringConfig | None = None) -> Timeline:
    """Per-second scores over ``[t0, t1)`` from every available signal."""
    cfg = cfg or ScoringConfig()
    n = max(0, round(sig.t1 - sig.t0))
    score = np.zeros(n)
    reasons: list[dict[str, Any]] = [{} for _ in range(n)]

    if len(sig.loudness):
        base = rolling_baseline(np.asarray(sig.loudness, float), cfg.baseline_seconds)
        rel = (np.asarray(sig.loudness) - base)[sig.history : sig.history + n]
        for i, db in enumerate(rel):
            pts = max(0.0, db - cfg.loud_free_db) / cfg.loud_db_per_point
            if pts > 0:
                score[i] += pts
                reasons[i]["loudness"] = float(db)
                if sig.centroid is not None and len(sig.centroid) > sig.history + i:
                    cbase = np.median(
                        sig.centroid[max(0, sig.history + i - 60) : sig.history + i + 1]
                    )
                    if sig.centroid[sig.history + i] > cbase * 1.25:
                        score[i] += cfg.shout_bonus
                        reasons[i]["shout"] = True
    if sig.laughter is not None:
        lau = np.asarray(sig.laughter)[sig.history : sig.history + n]
        for i, v in enumerate(lau):
            if v > 0.5:
                score[i] += cfg.laughter_points * v
                reasons[i]["laughter"] = float(v)

    def spread(t_start: float, t_end: float, pts: float, key: str, value: Any) -> None:
        i0 = max(0, int(t_start - sig.t0))
        i1 = min(n, int(np.ceil(t_end - sig.t0)) + 1)
        for i in range(i0, i1):
            score[i] += pts
            if key == "phrases":
                reasons[i].setdefault("phrases", []).append(value)
            else:
                reasons[i][key] = value

    for hit in find_phrases(sig.words, sig.phrases):
        pts = cfg.command_points if hit.phrase in COMMAND_PHRASES else cfg.phrase_points
        spread(hit.start, hit.end, pts, "phrases", hit.phrase)
    for sw in sentiment_swings(
        sentiment_series(sig.words), min_change=cfg.min_swing, strong=cfg.strong_sentiment
    ):
        # Spread over the chunk but never more than 3 s: it marks a moment, not a monologue.
        spread(
            sw.start,
            min(sw.end, sw.start + 3.0),
            cfg.swing_points * sw.magnitude,
            "sentiment",
            sw.compound,
        )
    if sig.chat_times:
        mult = chat_multiplier(sig.chat_times, sig.t0, sig.t1)
        for i, m in enumerate(mult[:n]):
            if m >= cfg.chat_min_multiplier:
                score[i] += cfg.chat_points * max(0.0, np.log2(m) - 1.5)
                reasons[i]["chat"] = float(m)
    return Timeline(sig.t0, score, reasons)
