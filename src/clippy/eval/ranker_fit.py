"""Fitting the chat ranker (``detect/ranker.py``) on Lightor-layout videos, and checking it
on videos it never saw: the arithmetic of ``benchmarks/train_ranker.py``.

Model: a logistic regression (L2, numpy Newton steps) over the chat peaks of every video (the
local maxima of the live rate multiplier over x1.25, as the live ranking sees them), the label
being whether the start the planner would give that peak is a hit under the paper's protocol.
Its weights, divided by the rate's weight, become the ranker's betas. Videos are scored with
the live arithmetic: peaks of the ranked value, their planner starts, top 10 at least 120 s
apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clippy.detect import BASE_FEATURE, FEATURES, ChatRanker, ScoringConfig, chat_feature_matrix
from clippy.eval.lightor import LabelledVideo
from clippy.eval.precision import is_hit, top_starts

KS = (1, 5, 10)
CANDIDATE_SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("reaction_share",),
    ("echo_share",),
    ("caps_share",),
    ("log_count_mult",),
    ("log_length_change",),
    ("reaction_share", "echo_share"),
    ("echo_share", "caps_share"),
    ("echo_share", "log_length_change"),
    ("echo_share", "new_chatter_share"),
)
STRENGTHS = (1.0, 30.0)
MARGIN = 3.0  # hits per 10 videos at P@10 (P@10 +0.03) the learned ranking must add, held out
MIN_LOG_MULT = float(np.log2(ScoringConfig().chat_min_multiplier))


@dataclass(frozen=True)
class Prepared:
    """One video: its per-second features on the moment side (moved back by the lag)."""

    video: LabelledVideo
    feats: np.ndarray  # [seconds, len(FEATURES)]; row i: the reaction to second i
    offset: float  # predicted start of second i's moment is i + offset


def prepare(video: LabelledVideo, lag: int, setup: float) -> Prepared:
    """Features of every second of ``video``, the reaction lag already taken off."""
    n = int(np.ceil(video.duration))
    feats = chat_feature_matrix(video.chat, 0.0, float(n + lag))[lag:]
    return Prepared(video, feats, 0.5 - setup)


def peak_indices(s: np.ndarray, floor: float = MIN_LOG_MULT) -> list[int]:
    """Seconds where ``s`` peaks at ``floor`` or more (what the live ranking takes as moments)."""
    return [
        i for i in range(1, len(s) - 1) if s[i] > s[i - 1] and s[i] >= s[i + 1] and s[i] >= floor
    ]


def peak_rows(p: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Features and hit labels of the video's chat peaks (the live ranking's candidates)."""
    idx = peak_indices(p.feats[:, FEATURES.index(BASE_FEATURE)])
    labels = [is_hit(i + p.offset, p.video.highlights) for i in idx]
    return p.feats[idx], np.asarray(labels, dtype=float)


def fit_logistic(x: np.ndarray, y: np.ndarray, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """L2-regularised logistic regression on standardised ``x``: ``(weights per raw unit,
    column means)`` (the intercept is not needed for ranking)."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = strength * np.eye(len(w))
    reg[-1, -1] = 0.0
    for _ in range(50):
        prob = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (prob - y) + reg @ w
        hess = (z * (prob * (1 - prob))[:, None]).T @ z + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1] / sd, mu


def train(videos: Sequence[Prepared], extra: tuple[str, ...], strength: float) -> ChatRanker:
    """The ranker fitted on ``videos`` with the rate and ``extra`` features."""
    if not extra:
        return ChatRanker()
    cols = [FEATURES.index(BASE_FEATURE)] + [FEATURES.index(f) for f in extra]
    rows = [peak_rows(p) for p in videos]
    x = np.vstack([r[0][:, cols] for r in rows])
    y = np.concatenate([r[1] for r in rows])
    w, mu = fit_logistic(x, y, strength)
    if w[0] <= 0:  # the rate must stay the signal; a model that inverts it is refused
        return ChatRanker()
    return ChatRanker(extra, tuple(mu[1:].tolist()), tuple((w[1:] / w[0]).tolist()))


def video_hits(p: Prepared, ranker: ChatRanker) -> np.ndarray:
    """Cumulative hits among the top 10 starts of the ranked value's peaks (live arithmetic)."""
    s = ranker.adjust(p.feats)
    cands = [(i + p.offset, float(s[i])) for i in peak_indices(s)]
    hits = [is_hit(t, p.video.highlights) for t in top_starts(cands, max(KS))]
    hits += [False] * (max(KS) - len(hits))
    return np.cumsum(hits)


def choose(videos: Sequence[Prepared]) -> tuple[tuple[str, ...], float]:
    """The feature set and strength with the best leave-one-out P@10 (then P@5, then the
    smaller set) on ``videos``."""
    best: tuple[tuple[float, float, int], tuple[str, ...], float] | None = None
    for extra in CANDIDATE_SETS:
        for strength in STRENGTHS if extra else STRENGTHS[:1]:
            total = np.zeros(max(KS))
            for k, held in enumerate(videos):
                rest = [p for j, p in enumerate(videos) if j != k]
                total += video_hits(held, train(rest, extra, strength))
            key = (float(total[9]), float(total[4]), -len(extra))
            if best is None or key > best[0]:
                best = (key, extra, strength)
    assert best is not None
    return best[1], best[2]


def precision(hits: np.ndarray) -> dict[str, float]:
    """P@K from ``[videos, 10]`` cumulative hits."""
    return {str(k): round(float(hits[:, k - 1].mean()) / k, 3) for k in KS}


def nested(videos: Sequence[Prepared]) -> tuple[np.ndarray, list[object]]:
    """Held-out hits of each video, the choice made and the model fitted without it."""
    hits: list[np.ndarray] = []
    picks: list[object] = []
    for k, held in enumerate(videos):
        rest = [p for j, p in enumerate(videos) if j != k]
        extra, strength = choose(rest)
        hits.append(video_hits(held, train(rest, extra, strength)))
        picks.append([held.video.key, list(extra), strength])
    return np.asarray(hits), picks


def adopt(held: np.ndarray, plain: np.ndarray) -> bool:
    """Whether the learned ranking earns its place: its nested held-out hits at 10 beat the
    rate alone by ``MARGIN`` hits per ten videos, losing none at 5 (one hit in 100 predictions
    is within the noise; a model that only wins in-sample is not shipped)."""
    gain10 = (held[:, 9].sum() - plain[:, 9].sum()) / len(held) * 10
    return bool(gain10 >= MARGIN and held[:, 4].sum() >= plain[:, 4].sum())
