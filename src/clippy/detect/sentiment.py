"""Sentiment of what is said (VADER lexicon) and sudden swings in it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from clippy.detect.words import Word, split_sentences

NEUTRAL = 0.3  # |compound| under this reads as a neutral chunk


@dataclass(frozen=True)
class SentimentChunk:
    """A sentence-like run of words and its VADER compound score (-1 … +1)."""

    start: float
    end: float
    text: str
    compound: float


@dataclass(frozen=True)
class SwingHit:
    """A change of mood at the chunk ``[start, end]``.

    ``change`` is signed (the chunk's compound minus the previous chunk's, or the chunk's own
    compound after a neutral one); ``magnitude`` is its size (0 … 2), used for scoring.
    """

    start: float
    end: float
    change: float
    compound: float

    @property
    def magnitude(self) -> float:
        """Size of the swing, whatever its direction."""
        return abs(self.change)


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes ~50 ms: once per process.
    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER compound score of ``text`` (-1 very negative … +1 very positive)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def sentiment_series(words: Sequence[Word]) -> list[SentimentChunk]:
    """VADER compound per sentence-like chunk (split at pauses over 0.6 s or every 12 words)."""
    return [
        SentimentChunk(s.start, s.end, s.text, compound(s.text)) for s in split_sentences(words)
    ]


def sentiment_swings(
    series: Sequence[SentimentChunk], *, min_change: float = 1.0, strong: float = 0.75
) -> list[SwingHit]:
    """Chunks whose compound moved by at least ``min_change`` from the previous chunk, or that
    are strongly charged (|compound| ≥ ``strong``) right after a neutral one."""
    hits = []
    for prev, cur in itertools.pairwise(series):
        change = cur.compound - prev.compound
        if abs(change) >= min_change:
            hits.append(SwingHit(cur.start, cur.end, change, cur.compound))
        elif abs(cur.compound) >= strong and abs(prev.compound) < NEUTRAL:
            hits.append(SwingHit(cur.start, cur.end, cur.compound, cur.compound))
    return hits
