"""``clippy eval lightor``: Clippy's live detector scored on a Lightor-layout split."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clippy.config import Settings
from clippy.eval.chat_only import VideoPrediction, predict_video
from clippy.eval.lightor import LabelledVideo, load_split
from clippy.eval.precision import clip_recall, precision_curve, top_starts

K_MAX = 10


@dataclass
class SplitResult:
    """Scores of one split, and what the detector predicted per video (for the report)."""

    game: str
    split: str
    videos: list[LabelledVideo]
    predictions: list[VideoPrediction]
    precision_at: dict[str, float]
    clip_recall: float
    seconds: float  # wall time of the evaluation
    chat_hours: float

    def summary(self) -> dict[str, Any]:
        """The ``--json`` object."""
        return {
            "game": self.game,
            "split": self.split,
            "videos": len(self.videos),
            "precision_at": self.precision_at,
            "clip_recall": round(self.clip_recall, 4),
        }


def evaluate_videos(
    videos: list[LabelledVideo], settings: Settings, *, game: str = "", split: str = ""
) -> SplitResult:
    """Run the detector on every video and score it (Precision@1..10, clip recall)."""
    started = time.perf_counter()
    preds = [predict_video(v.chat, v.duration, settings) for v in videos]
    labels = [v.highlights for v in videos]
    tops = [top_starts(p.starts, K_MAX) for p in preds]
    return SplitResult(
        game=game,
        split=split,
        videos=videos,
        predictions=preds,
        precision_at=precision_curve(tops, labels, K_MAX),
        clip_recall=clip_recall([p.clips for p in preds], labels),
        seconds=time.perf_counter() - started,
        chat_hours=sum(v.duration for v in videos) / 3600,
    )


def evaluate_lightor(root: Path, game: str, split: str, settings: Settings) -> SplitResult:
    """Load ``root``'s ``game``/``split`` (``DatasetError`` if it is not a Lightor split) and
    evaluate it."""
    return evaluate_videos(load_split(root, game, split), settings, game=game, split=split)
