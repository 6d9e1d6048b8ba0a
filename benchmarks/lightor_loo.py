"""Leave-one-video-out check of the chat ranking, and the Lightor README's simple baseline.

For a Lightor-layout split (train: 10 Dota 2 videos, 1 LoL video) prints, as JSON:
- ``baseline``: the README's reference method (messages per 5-s window, ranked by count, start
  = window start + shift, 120 s apart) at shift -25 s;
- ``clippy``: the live detector's ranking (``clippy.eval.chat_only.ranked_starts``) at the
  configured chat lag;
- for both, ``loo``: the lag (shift) chosen on the other videos for each held-out video, and
  the held-out Precision@1/5/10 (a video's own labels never choose its own setting).

The live ranking is computed once with no lag and its starts moved by each candidate lag:
chat-only scores are the chat multiplier moved back by the lag, so this is the same ranking
except in a video's last ``lag`` seconds.

    .venv/bin/python benchmarks/lightor_loo.py [--dataset ../shared/datasets/lightor]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from clippy.detect.plan import PlanConfig
from clippy.detect.score import ScoringConfig
from clippy.eval.chat_only import chat_timeline, ranked_starts
from clippy.eval.lightor import LabelledVideo, load_split
from clippy.eval.precision import is_hit, top_starts

ROOT = Path(__file__).resolve().parents[1]
KS = (1, 5, 10)
BASELINE_SHIFTS = [float(s) for s in range(-45, -4, 5)]
LAGS = [float(lag) for lag in range(15, 40, 2)]

Ranker = Callable[[LabelledVideo], list[tuple[float, float]]]


def count_windows(video: LabelledVideo, width: int = 5) -> list[tuple[float, float]]:
    """``(window start, messages)`` for every non-empty ``width``-s window of the video."""
    counts: dict[int, int] = {}
    for line in video.chat:
        k = int(line.time) // width
        counts[k] = counts.get(k, 0) + 1
    return [(float(k * width), float(c)) for k, c in counts.items()]


def clippy_peaks(video: LabelledVideo) -> list[tuple[float, float]]:
    """The live ranking's ``(start, score)`` candidates with the chat lag left out."""
    tl = chat_timeline(video.chat, video.duration, ScoringConfig(chat_lag=0.0))
    return ranked_starts(tl, PlanConfig())


def hits_table(
    videos: Sequence[LabelledVideo], rank: Ranker, offsets: Sequence[float]
) -> np.ndarray:
    """``[video, offset, k-1]``: hits among the top k starts moved by ``offset``."""
    out = np.zeros((len(videos), len(offsets), max(KS)))
    for v, video in enumerate(videos):
        tops = top_starts(rank(video), max(KS))
        for o, off in enumerate(offsets):
            hits = [is_hit(t + off, video.highlights) for t in tops]
            hits += [False] * (max(KS) - len(hits))
            out[v, o] = np.cumsum(hits)
    return out


def precision(table: np.ndarray, o: int) -> dict[str, float]:
    """P@K of every video at offset index ``o``."""
    return {str(k): round(float(table[:, o, k - 1].sum()) / (k * len(table)), 3) for k in KS}


def leave_one_out(table: np.ndarray, offsets: Sequence[float]) -> dict[str, object]:
    """Each video scored at the offset that maximises P@10 (then P@5, P@1) on the others."""
    picked: list[float] = []
    held = np.zeros(len(KS))
    for v in range(len(table)):
        rest = np.delete(table, v, axis=0).sum(axis=0)
        best = max(range(len(offsets)), key=lambda o: (rest[o, 9], rest[o, 4], rest[o, 0]))
        picked.append(offsets[best])
        held += [table[v, best, k - 1] / k for k in KS]
    at = {str(k): round(float(h) / len(table), 3) for k, h in zip(KS, held, strict=True)}
    return {"offsets": picked, "precision_at": at}


def evaluate(videos: Sequence[LabelledVideo], lag: float) -> dict[str, object]:
    """Baseline and live ranking on ``videos``: at the fixed setting and leave-one-out."""
    base = hits_table(videos, count_windows, BASELINE_SHIFTS)
    live_offsets = [-lag_ for lag_ in LAGS]
    live = hits_table(videos, clippy_peaks, live_offsets)
    out: dict[str, object] = {
        "baseline": {"shift": -25.0, "precision_at": precision(base, BASELINE_SHIFTS.index(-25))},
        "clippy": {"lag": lag, "precision_at": precision(live, LAGS.index(lag))},
    }
    if len(videos) > 1:
        out["baseline_loo"] = leave_one_out(base, BASELINE_SHIFTS)
        out["clippy_loo"] = leave_one_out(live, [-o for o in live_offsets])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/datasets/lightor")
    parser.add_argument("--split", default="train")
    args = parser.parse_args()
    if not args.dataset.is_dir():
        print(f"no Lightor dataset at {args.dataset}: nothing to measure", file=sys.stderr)
        return 2
    lag = ScoringConfig().chat_lag
    for game in ("Dota2", "LOL"):
        videos = load_split(args.dataset, game, args.split)
        print(json.dumps({"game": game, "videos": len(videos), **evaluate(videos, lag)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
