"""Combine the signals into one score per second, keeping what contributed (the reason)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clippy.detect.audience import BASELINE_SECONDS
from clippy.detect.chat import ChatLine
from clippy.detect.phrases import COMMAND_PHRASES, find_phrases
from clippy.detect.ranker import ChatRanker, ranked_multiplier
from clippy.detect.sentiment import sentiment_series, sentiment_swings
from clippy.detect.signals import relative_loudness, shout_score, sound_baseline
from clippy.detect.viewer_clip import DEFAULT_COMMAND, DEFAULT_VIEWERS, clip_requests
from clippy.detect.words import Word


@dataclass(frozen=True)
class ScoringConfig:
    """Weights and thresholds; a second scoring ``threshold`` or more is a moment worth a clip.

    The weights are set so one strong signal alone reaches 1.0 (+12 dB over the stream's
    baseline, "clip that", a full mood swing, chat x4) while a weak one needs company (a hype
    phrase, +9 dB, chat x3, laughter each give about half).
    """

    threshold: float = 1.0
    loud_free_db: float = 6.0  # dB over baseline that count for nothing (normal animation)
    loud_db_per_point: float = 6.0  # each further 6 dB adds a point: +12 dB → 1.0
    phrase_points: float = 0.6  # a hype phrase alone is not a moment; with a spike it is
    command_points: float = 1.2  # "clip that": the streamer asks for a clip
    # A phrase counts this long around its words, so two hype phrases of one exclamation
    # ("oh my god, no way!") add up even when they fall in neighbouring seconds; without it,
    # planted normal-volume exclamations were found or missed by where the second ticked.
    phrase_reach: float = 1.0
    swing_points: float = 0.8  # times the swing size (0 … 2): -0.6 → +0.8 gives 1.1
    min_swing: float = 1.0  # compound change of a reversal (charged chunk to opposite one)
    min_shift: float = 0.8  # or of the mood over two chunks against the two before
    swing_seconds: float = 3.0  # a swing marks the chunk's first seconds, not a monologue
    # Audience (detect/audience.py: weighted chat, or reaction messages, over their own 2-minute
    # level): on the Lightor train chat a video's few strongest reactions reach x5-x8, ordinary
    # busy minutes x2-x3.
    # Even a small rise scores a little, so weaker reactions still rank (and add to a spike).
    chat_min_multiplier: float = 1.25
    chat_points: float = 0.5  # times log2(multiplier) - free: x2 → 0.5, x4 → 1.0, x8 → 1.5
    chat_free_log2: float = 0.0
    chat_baseline_seconds: float = BASELINE_SECONDS
    # Chat reacts after the moment: its evidence counts this many seconds earlier, where the
    # moment was, so it adds up with the audio and speech of that moment (learned on the
    # Lightor train chat, see docs/detection.md). Seconds whose reaction is not in yet get it
    # once it arrives: each live window is scored again.
    chat_lag: float = 27.0
    # What chat says, learned (detect/ranker.py, benchmarks/train_ranker.py): None is the
    # model shipped in the package; ChatRanker() ranks by the rate alone.
    chat_ranker: ChatRanker | None = None
    shout_points: float = 0.5  # times shout_score (0-1), on top of the loudness points
    laughter_points: float = 0.5  # times laughter_score where it is over 0.5
    baseline_seconds: float = 60.0


@dataclass
class WindowSignals:
    """Everything known about ``[t0, t1)`` for scoring.

    Per-second audio series (``loudness``, ``centroid``, ``pitch``, ``laughter``) cover
    ``[t0 - history, t1)``: the leading ``history`` seconds give the baseline its context.
    ``words`` and ``chat`` (or ``chat_times`` where only times are known) may start before
    ``t0`` too (they should, by the same
    history, so live windows agree with an offline pass); only ``[t0, t1)`` is scored.
    """

    t0: float
    t1: float
    loudness: np.ndarray  # dBFS per second
    history: int = 0
    centroid: np.ndarray | None = None  # Hz per second (speech-band centroid)
    pitch: np.ndarray | None = None  # Hz per second, 0 where unvoiced
    laughter: np.ndarray | None = None  # 0-1 per second
    words: Sequence[Word] = ()
    chat_times: Sequence[float] = ()
    chat: Sequence[ChatLine] = ()  # the lines themselves, when their text is known
    phrases: Sequence[str] = ()
    # The streamer's own key phrases (also in ``phrases``): each weighs like "clip that".
    streamer_phrases: Sequence[str] = ()
    # Viewers' clip command ("" turns it off) and how many distinct viewers must send it.
    clip_command: str = DEFAULT_COMMAND
    clip_viewers: int = DEFAULT_VIEWERS


@dataclass
class Timeline:
    """Score of each second of ``[t0, t0 + len(score))`` and what made it.

    ``points[i]`` maps each contributing signal to the points it added; ``reasons[i]`` holds the
    matching measured values (dB, phrases, multiplier, swing) for the human-readable reason.
    """

    t0: float
    score: np.ndarray
    reasons: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, float]] = field(default_factory=list)

    def reason_text(self, i0: int, i1: int) -> str:
        """Why seconds ``[i0, i1)`` scored, e.g. "loudness +14 dB, 'no way', chat x6"."""
        merged: dict[str, Any] = {}
        for r in self.reasons[i0:i1]:
            for k, v in r.items():
                if k == "phrases":
                    merged.setdefault(k, [])
                    merged[k] += [p for p in v if p not in merged[k]]
                elif k == "viewer_clip":
                    merged[k] = max(merged.get(k, v), v)
                elif k not in merged or abs(v) > abs(merged[k]):
                    merged[k] = v
        parts = []
        if "loudness" in merged:
            parts.append(f"loudness +{merged['loudness']:.0f} dB")
        if "shout" in merged:
            parts.append("shouting")
        parts += [f"'{p}'" for p in merged.get("phrases", [])[:3]]
        if merged.get("chat", 0) >= 2:  # a small rise helps ranking but is no reason to tell
            parts.append(f"chat ×{merged['chat']:.0f}")  # noqa: RUF001 (shown to people)
        if "sentiment" in merged:
            parts.append(f"sentiment swing {merged['sentiment']:+.1f}")
        if "laughter" in merged:
            parts.append("laughter")
        if "viewer_clip" in merged:
            count, command = merged["viewer_clip"]
            parts.insert(0, f"{count} viewer{'s' if count != 1 else ''} typed {command}")
        return ", ".join(parts)


class _Builder:
    """Accumulates points and reasons per second of a window."""

    def __init__(self, t0: float, n: int) -> None:
        self.t0 = t0
        self.score = np.zeros(n)
        self.reasons: list[dict[str, Any]] = [{} for _ in range(n)]
        self.points: list[dict[str, float]] = [{} for _ in range(n)]

    def add(self, i: int, key: str, pts: float, value: Any) -> None:
        pts = float(pts)
        if pts <= 0:
            return
        self.score[i] += pts
        self.points[i][key] = self.points[i].get(key, 0.0) + pts
        if key == "phrases":
            self.reasons[i].setdefault("phrases", []).append(value)
        else:
            self.reasons[i][key] = value

    def spread(self, t_start: float, t_end: float, key: str, pts: float, value: Any) -> None:
        """Add to every second that ``[t_start, t_end]`` touches."""
        i0 = max(0, int(np.floor(t_start - self.t0)))
        i1 = min(len(self.score), int(np.floor(t_end - self.t0)) + 1)
        for i in range(i0, i1):
            self.add(i, key, pts, value)


def score_timeline(sig: WindowSignals, cfg: ScoringConfig | None = None) -> Timeline:
    """Per-second scores over ``[t0, t1)`` from every signal given (missing ones add nothing)."""
    cfg = cfg or ScoringConfig()
    n = max(0, round(sig.t1 - sig.t0))
    b = _Builder(sig.t0, n)
    _score_audio(b, sig, cfg, n)
    commands = COMMAND_PHRASES.union(sig.streamer_phrases)
    for hit in find_phrases(sig.words, sig.phrases):
        pts = cfg.command_points if hit.phrase in commands else cfg.phrase_points
        reach = cfg.phrase_reach
        b.spread(hit.start - reach, hit.end + reach, "phrases", pts, hit.phrase)
    swings = sentiment_swings(
        sentiment_series(sig.words), min_change=cfg.min_swing, min_shift=cfg.min_shift
    )
    for sw in swings:
        end = min(sw.end, sw.start + cfg.swing_seconds)
        b.spread(sw.start, end, "sentiment", cfg.swing_points * sw.magnitude, sw.change)
    chat = sig.chat or [ChatLine(t) for t in sig.chat_times]
    if chat:
        _score_chat(b, chat, sig, cfg, n)
    return Timeline(sig.t0, b.score, b.reasons, b.points)


def _score_chat(
    b: _Builder, chat: Sequence[ChatLine], sig: WindowSignals, cfg: ScoringConfig, n: int
) -> None:
    lag = round(cfg.chat_lag)
    # Where only the times of chat lines are known, what they say cannot be judged: the rate
    # alone ranks them (an unknown text is not a reaction of ordinary content).
    ranker = cfg.chat_ranker if any(c.text for c in chat) else ChatRanker()
    rate, mult = ranked_multiplier(
        chat, sig.t0, sig.t1, history=cfg.chat_baseline_seconds, ranker=ranker
    )
    for j, m in enumerate(mult):
        if m >= cfg.chat_min_multiplier and 0 <= j - lag < n:
            pts = cfg.chat_points * (float(np.log2(m)) - cfg.chat_free_log2)
            b.add(j - lag, "chat", pts, float(rate[j]))
    for req in clip_requests(chat, command=sig.clip_command, viewers=sig.clip_viewers):
        # Viewers ask for a clip of what they just saw: from about a reaction's lag before
        # the first request up to the one that was granted, as strong as "clip that".
        value = (len(req.users), req.command)
        b.spread(req.first - cfg.chat_lag, req.granted, "viewer_clip", cfg.command_points, value)


def _score_audio(b: _Builder, sig: WindowSignals, cfg: ScoringConfig, n: int) -> None:
    h = sig.history
    loud = np.asarray(sig.loudness, dtype=float)
    if not len(loud):
        return
    rel = relative_loudness(loud, sound_baseline(loud, cfg.baseline_seconds))[h : h + n]
    for i, db in enumerate(rel):
        b.add(i, "loudness", (db - cfg.loud_free_db) / cfg.loud_db_per_point, float(db))
    if sig.centroid is not None and len(sig.centroid) == len(loud):
        pitch = sig.pitch if sig.pitch is not None and len(sig.pitch) == len(loud) else None
        shout = shout_score(loud, sig.centroid, pitch, window_s=cfg.baseline_seconds)
        for i, v in enumerate(shout[h : h + n]):
            b.add(i, "shout", cfg.shout_points * float(v), float(v))
    if sig.laughter is not None:
        for i, v in enumerate(np.asarray(sig.laughter, dtype=float)[h : h + n]):
            if v > 0.5:
                b.add(i, "laughter", cfg.laughter_points * float(v), float(v))


# The name the pipeline used first; kept so callers can move to score_timeline in their time.
score_window = score_timeline
