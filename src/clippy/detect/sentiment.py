"""Sentiment of what is said (VADER lexicon) and sudden swings in it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PAUSE_SECONDS = 0.6
MAX_CHUNK_WORDS = 12


@dataclass(frozen=True)
class SentimentChunk:
    """A sentence-like run of words and its VADER compound score (-1 … +1)."""

    start: float
    end: float
    text: str
    compound: float


@dataclass(frozen=True)
class SwingHit:
    """A change of mood: ``magnitude`` is the compound difference (0 … 2)."""

    start: float
    end: float
    magnitude: float
    compound: float


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def chunk_words(words: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split words at pauses over 0.6 s or every 12 words (sentence-like chunks)."""
    chunks: list[list[dict[str, Any]]] = []
    for w in words:
        if (
            chunks
            and float(w["start"]) - float(chunks[-1][-1]["end"]) <= PAUSE_SECONDS
            and len(chunks[-1]) < MAX_CHUNK_WORDS
        ):
            chunks[-1].append(w)
        else:
            chunks.append([w])
    return chunks


def sentiment_series(words: Sequence[dict[str, Any]]) -> list[SentimentChunk]:
    """VADER compound per chunk of words."""
    out = []
    for chunk in chunk_words(words):
        text = " ".join(str(w["text"]) for w in chunk)
        score = float(_analyzer().polarity_scores(text)["compound"])
        out.append(SentimentChunk(float(chunk[0]["start"]), float(chunk[-1]["end"]), text, score))
    return out


def sentiment_swings(
    series: Sequence[SentimentChunk], *, min_change: float = 0.6, strong: float = 0.6
) -> list[SwingHit]:
    """Chunks whose mood jumps by ``min_change`` from the previous chunk, or that are strongly
    charged (|compound| ≥ ``strong``) after a neutral one."""
    hits = []
    for prev, cur in itertools.pairwise(series):
        change = abs(cur.compound - prev.compound)
        charged = abs(cur.compound) >= strong and abs(prev.compound) < 0.3
        if change >= min_change or charged:
            hits.append(SwingHit(cur.start, cur.end, max(change, abs(cur.compound)), cur.compound))
    return hits
