"""Sentiment of what is said (VADER lexicon) and sudden swings in it."""

from __future__ import annotations

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
    series: Sequence[SentimentChunk],
    *,
    min_change: float = 1.0,
    min_shift: float = 0.8,
    context: int = 2,
    span: float = 20.0,
) -> list[SwingHit]:
    """Where the mood of the talk really changes, at the chunk where the change starts.

    Two ways count: a reversal (this chunk and the one before are both charged, with opposite
    signs, ``min_change`` apart: despair then joy), or a shift sustained over several sentences
    (the mean of this chunk and the next differs by ``min_shift`` from the mean of the
    ``context`` chunks before, all within ``span`` s). One charged remark amid calm talk is
    neither: with accurate words, a mildly positive comment about the game is not a moment.
    """
    hits = []
    for i in range(1, len(series)):
        prev, cur = series[i - 1], series[i]
        if abs(cur.compound) < NEUTRAL:
            continue
        change = cur.compound - prev.compound
        reversal = (
            abs(prev.compound) >= NEUTRAL
            and prev.compound * cur.compound < 0
            and abs(change) >= min_change
        )
        if not reversal:
            before = [c for c in series[max(0, i - context) : i] if cur.start - c.end <= span]
            after = [c for c in series[i : i + context] if c.start - cur.start <= span]
            if len(before) < context or len(after) < context:
                continue
            change = _mean(after) - _mean(before)
            if abs(change) < min_shift or change * cur.compound < 0:
                continue
        hits.append(SwingHit(cur.start, cur.end, change, cur.compound))
    return hits


def _mean(chunks: Sequence[SentimentChunk]) -> float:
    return sum(c.compound for c in chunks) / len(chunks)
