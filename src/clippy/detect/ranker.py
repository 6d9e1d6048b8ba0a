"""The learned chat ranker: what chat says, on top of how fast it goes.

A small logistic regression (``benchmarks/train_ranker.py``) learns, on the Lightor train chat,
which chat peaks were labelled highlights from the features of ``detect/chat_features.py``.
Its coefficients are stored in ``chat_ranker.json`` beside this module, expressed in units of
the rate signal: the ranked value of a second is

    log2(rate multiplier) + sum_k beta_k * (feature_k - mean_k)

so a reaction of ordinary content keeps its multiplier (and the live threshold keeps its
meaning: x4 is a clip by itself), and content the labellers' highlights had more of raises it.
A model with no extra features is the plain multiplier.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from clippy.detect.audience import audience_multiplier
from clippy.detect.chat import ChatLine
from clippy.detect.chat_features import FEATURES, chat_features

MODEL_PATH = Path(__file__).with_name("chat_ranker.json")
MODEL_VERSION = 1
BASE_FEATURE = "log_mult"


class RankerFileError(ValueError):
    """A ranker file that cannot be used (wrong version, unknown feature, bad numbers)."""


@dataclass(frozen=True)
class ChatRanker:
    """Extra features, their train means and their weights in log2-multiplier units."""

    features: tuple[str, ...] = ()
    means: tuple[float, ...] = ()
    betas: tuple[float, ...] = ()

    def adjust(self, feats: np.ndarray) -> np.ndarray:
        """Per second: the ranked log2 multiplier from ``chat_features`` rows."""
        base = feats[:, FEATURES.index(BASE_FEATURE)]
        if not self.features:
            return np.asarray(base)
        cols = [FEATURES.index(f) for f in self.features]
        extra = (feats[:, cols] - np.asarray(self.means)) @ np.asarray(self.betas)
        # Seconds without a usual level yet have all-zero features: nothing to adjust.
        return np.where(np.any(feats != 0, axis=1), base + extra, base)

    def to_json(self) -> dict[str, Any]:
        """The file's content (see ``ranker_from_json``)."""
        return {
            "version": MODEL_VERSION,
            "base": BASE_FEATURE,
            "features": list(self.features),
            "means": [round(m, 6) for m in self.means],
            "betas": [round(b, 6) for b in self.betas],
        }


def ranker_from_json(data: Any) -> ChatRanker:
    """A ranker from a ``to_json`` object; ``RankerFileError`` naming what is wrong."""
    if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
        raise RankerFileError(f"chat ranker: expected an object with version {MODEL_VERSION}")
    names, means, betas = data.get("features"), data.get("means"), data.get("betas")
    if not (isinstance(names, list) and isinstance(means, list) and isinstance(betas, list)):
        raise RankerFileError("chat ranker: features, means and betas must be lists")
    if not len(names) == len(means) == len(betas):
        raise RankerFileError("chat ranker: features, means and betas differ in length")
    unknown = [n for n in names if n not in FEATURES or n == BASE_FEATURE]
    if unknown:
        raise RankerFileError(f"chat ranker: unknown extra features {unknown}")
    nums = [*means, *betas]
    if not all(isinstance(x, int | float) and np.isfinite(x) for x in nums):
        raise RankerFileError("chat ranker: means and betas must be finite numbers")
    return ChatRanker(tuple(names), tuple(map(float, means)), tuple(map(float, betas)))


@cache
def default_ranker() -> ChatRanker:
    """The ranker shipped with the package (``chat_ranker.json``)."""
    return ranker_from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def ranked_multiplier(
    lines: Sequence[ChatLine],
    t0: float,
    t1: float,
    *,
    history: float,
    ranker: ChatRanker | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per second of ``[t0, t1)``: the chat rate over its usual level (what a person is told,
    "chat x6") and the multiplier the detector scores (``2 ** adjust``)."""
    ranker = ranker if ranker is not None else default_ranker()
    if not ranker.features:  # the rate alone: no need for the other features
        rate = audience_multiplier(lines, t0, t1, history=history)
        return rate, rate
    feats = chat_features(lines, t0, t1, history=history)
    rate = 2.0 ** feats[:, FEATURES.index(BASE_FEATURE)]
    return np.asarray(rate), np.asarray(2.0 ** ranker.adjust(feats))
