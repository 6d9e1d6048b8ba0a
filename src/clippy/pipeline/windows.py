"""Assemble a detection window from stored per-segment features, then plan its clips.

Shared by the live pipeline (window loaded from the database) and ``clippy process``
(window built in memory), so both find the same moments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clippy.config import Settings
from clippy.detect import (
    ChatLine,
    ClipPlan,
    PlanConfig,
    ScoringConfig,
    WindowSignals,
    length_range,
    phrase_list,
    plan_clips,
    score_timeline,
)

HISTORY_SECONDS = 60


@dataclass
class WindowInput:
    """What detection needs about ``[t0, t1)``, in plain data."""

    t0: float
    t1: float
    features: list[tuple[float, dict[str, Any]]]  # (segment start, its segment_features)
    words: list[dict[str, Any]]  # from t0 - HISTORY_SECONDS: sentence context
    chat: list[ChatLine]  # from t0 - CHAT_HISTORY_SECONDS: the audience baseline
    existing: list[tuple[float, float]]
    streamer_phrases: tuple[str, ...] = ()  # the owner's key phrases (business plan)
    clip_command: str | None = None  # the owner's viewer clip command; None: the server's
    clip_length: str | None = None  # the owner's or stream's clip length; None: the server's


def feature_series(
    features: Sequence[tuple[float, dict[str, Any]]], key: str, t0: float, t1: float, fill: float
) -> np.ndarray:
    """One per-second feature over ``[t0, t1)`` stitched from segments (gaps get ``fill``)."""
    n = max(0, round(t1 - t0))
    out = np.full(n, fill, dtype=float)
    for start, feats in features:
        values = feats.get(key) or []
        first = round(start - t0)
        for k, v in enumerate(values):
            i = first + k
            if 0 <= i < n:
                out[i] = float(v)
    return out


def plan_window(window: WindowInput, settings: Settings, *, final: bool) -> list[ClipPlan]:
    """Score the window and return the clips to make now, best first."""
    t0h = max(0.0, window.t0 - HISTORY_SECONDS)
    history = round(window.t0 - t0h)
    loud = feature_series(window.features, "loudness", t0h, window.t1, np.nan)
    if np.all(np.isnan(loud)):
        loud = np.full(len(loud), -90.0)
    # Seconds with no stored features take the median, so they neither spike nor hide spikes.
    loud = np.where(np.isnan(loud), np.nanmedian(loud), loud)
    signals = WindowSignals(
        t0=window.t0,
        t1=window.t1,
        loudness=loud,
        history=history,
        centroid=feature_series(window.features, "centroid", t0h, window.t1, 0.0),
        laughter=feature_series(window.features, "laughter", t0h, window.t1, 0.0),
        pitch=feature_series(window.features, "pitch", t0h, window.t1, 0.0),
        words=window.words,
        chat=window.chat,
        phrases=phrase_list([*settings.key_phrases.split(","), *window.streamer_phrases]),
        streamer_phrases=window.streamer_phrases,
        clip_command=settings.clip_command if window.clip_command is None else window.clip_command,
        clip_viewers=settings.clip_command_viewers,
    )
    timeline = score_timeline(signals, ScoringConfig(threshold=settings.detect_threshold))
    min_len, max_len = length_range(window.clip_length or settings.clip_length)
    return plan_clips(
        timeline,
        window.words,
        existing=window.existing,
        available_from=max(0.0, window.t1 - settings.detect_window_seconds - HISTORY_SECONDS),
        available_until=window.t1,
        final=final,
        cfg=PlanConfig(
            threshold=settings.detect_threshold,
            min_len=min_len,
            max_len=max_len,
        ),
    )
