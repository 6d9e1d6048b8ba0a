"""Run Clippy's live detector on a chat-only video (a Lightor video has no media).

Two views of the same detector, both through the code the live pipeline runs:
- ``ranked_starts``: the per-second score (``score_timeline``) over the whole video, its peaks
  ranked by score, each turned into the start the planner would give its clip
  (``plan.moment_start``). This is what Precision@K needs: K predictions per video.
- ``live_clips``: the clips the pipeline would actually make, replaying the video 10 s at a
  time through ``detect_offline`` (the same windows and planner as a live stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clippy.config import Settings
from clippy.detect import (
    ChatLine,
    PlanConfig,
    ScoringConfig,
    Timeline,
    WindowSignals,
    length_range,
    moment_start,
    score_timeline,
)
from clippy.pipeline import SEGMENT_SECONDS, Analysis, detect_offline

# A second that scored nothing is no candidate: the detector saw nothing there, and a video
# with fewer peaks than K predictions counts the rest as misses.
_MIN_CANDIDATE = 1e-6


@dataclass(frozen=True)
class VideoPrediction:
    """What the detector said about one video."""

    starts: list[tuple[float, float]]  # (predicted start, score), best first
    clips: list[tuple[float, float]]  # the clips the live pipeline would make
    timeline: Timeline


def chat_timeline(chat: Sequence[ChatLine], duration: float, cfg: ScoringConfig) -> Timeline:
    """The live per-second score of ``[0, duration)`` from chat alone."""
    n = max(1, int(np.ceil(duration)))
    sig = WindowSignals(t0=0.0, t1=float(n), loudness=np.full(n, -90.0), chat=list(chat))
    return score_timeline(sig, cfg)


def ranked_starts(tl: Timeline, plan_cfg: PlanConfig) -> list[tuple[float, float]]:
    """Every local peak of the score as ``(clip start, peak score)``, best first."""
    s = tl.score
    out = []
    for i in range(len(s)):
        left = s[i - 1] if i > 0 else -np.inf
        right = s[i + 1] if i + 1 < len(s) else -np.inf
        if s[i] > _MIN_CANDIDATE and s[i] > left and s[i] >= right:
            out.append((moment_start(tl, i, plan_cfg), float(s[i])))
    return sorted(out, key=lambda c: -c[1])


def live_clips(
    chat: Sequence[ChatLine], duration: float, settings: Settings
) -> list[tuple[float, float]]:
    """The clips (start, end) the live pipeline makes on this chat, 10 s segment by segment."""
    count = max(1, int(np.ceil(duration / SEGMENT_SECONDS)))
    starts = [k * SEGMENT_SECONDS for k in range(count)]
    analyses = [Analysis(features={}, words=[]) for _ in starts]
    return [(p.start, p.end) for p in detect_offline(analyses, starts, list(chat), settings)]


def predict_video(
    chat: Sequence[ChatLine], duration: float, settings: Settings, *, with_clips: bool = True
) -> VideoPrediction:
    """Ranked starts, live clips and the timeline of one chat-only video."""
    score_cfg = ScoringConfig(threshold=settings.detect_threshold)
    min_len, max_len = length_range(settings.clip_length)
    plan_cfg = PlanConfig(threshold=settings.detect_threshold, min_len=min_len, max_len=max_len)
    tl = chat_timeline(chat, duration, score_cfg)
    clips = live_clips(chat, duration, settings) if with_clips else []
    return VideoPrediction(ranked_starts(tl, plan_cfg), clips, tl)
