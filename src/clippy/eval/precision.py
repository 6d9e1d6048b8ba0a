"""Scoring predictions against labelled highlights (Lightor's protocol), as pure functions.

Protocol (Lightor ``baseline_evaluation.py``): per video, the top K predicted highlight
*starts*, at least 120 s apart; a start ``t`` is a hit when ``gt_start - 10 <= t <= gt_end``
for some labelled highlight; Precision@K = hits / (K x videos). A video with fewer than K
predictions counts the missing ones as misses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clippy.eval.lightor import Highlight

SPACING_SECONDS = 120.0
EARLY_SECONDS = 10.0


def top_starts(
    candidates: Sequence[tuple[float, float]], k: int, spacing: float = SPACING_SECONDS
) -> list[float]:
    """The ``k`` best ``(start, score)`` candidates' starts, best first, each at least
    ``spacing`` s from every start already taken (greedy, as the paper's evaluation does)."""
    taken: list[float] = []
    for start, _score in sorted(candidates, key=lambda c: (-c[1], c[0])):
        if all(abs(start - t) >= spacing for t in taken):
            taken.append(start)
            if len(taken) == k:
                break
    return taken


def is_hit(t: float, highlights: Sequence[Highlight], early: float = EARLY_SECONDS) -> bool:
    """Whether a predicted start falls in ``[gt_start - early, gt_end]`` of any highlight."""
    return any(h.start - early <= t <= h.end for h in highlights)


def precision_at(
    predictions: Sequence[Sequence[float]], labels: Sequence[Sequence[Highlight]], k: int
) -> float:
    """Precision@K over videos: ``predictions[v]`` are video v's starts, best first."""
    if not predictions:
        return 0.0
    hits = sum(
        sum(is_hit(t, hl) for t in list(pred)[:k])
        for pred, hl in zip(predictions, labels, strict=True)
    )
    return hits / (k * len(predictions))


def precision_curve(
    predictions: Sequence[Sequence[float]], labels: Sequence[Sequence[Highlight]], k_max: int = 10
) -> dict[str, float]:
    """``{"1": P@1, ..., str(k_max): P@k_max}``."""
    return {str(k): round(precision_at(predictions, labels, k), 4) for k in range(1, k_max + 1)}


def clip_recall(
    clips: Sequence[Sequence[tuple[float, float]]], labels: Sequence[Sequence[Highlight]]
) -> float:
    """Share of all labelled highlights that some clip ``(start, end)`` of its video overlaps."""
    total = sum(len(hl) for hl in labels)
    if total == 0:
        return 0.0
    found = sum(
        any(s <= h.end and e >= h.start for s, e in vclips)
        for vclips, hl in zip(clips, labels, strict=True)
        for h in hl
    )
    return found / total


def mean(values: Sequence[float]) -> float:
    """Mean of ``values`` (0 when empty)."""
    return float(np.mean(values)) if len(values) else 0.0
