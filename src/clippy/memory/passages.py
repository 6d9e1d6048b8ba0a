"""Passages of remembered speech and how well one matches a cue's topic (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from clippy.detect import Word, split_sentences
from clippy.memory.cues import content_terms, sentence_cues

# Below this share of a topic's distinctive words found in a passage it is not what the
# topic refers to; a weak cue ("... again") must match more of itself.
MIN_MATCH = 0.6
MIN_MATCH_WEAK = 0.75
# With embeddings a passage that shares fewer words still counts when its meaning is this
# close (cosine of all-MiniLM-L6-v2 sentence vectors; paraphrases measure 0.6-0.8).
MIN_COSINE = 0.6


@dataclass(frozen=True)
class Chunk:
    """A stored transcript chunk of one of the owner's streams, and when it was said."""

    transcript_id: int
    stream_id: int
    said_at: datetime
    words: Sequence[Word]


@dataclass(frozen=True)
class Passage:
    """One remembered sentence: ``[start, end]`` in its stream's seconds."""

    stream_id: int
    start: float
    end: float
    text: str
    said_at: datetime
    match: float = 0.0


def lexical_match(topic: str, text: str) -> float:
    """Share (0-1) of the topic's distinctive words that ``text`` also holds."""
    wanted = content_terms(topic)
    if not wanted:
        return 0.0
    have = set(content_terms(text))
    return sum(1 for t in wanted if t in have) / len(wanted)


Similarity = Callable[[str, str], float]


def best_passage(
    topic: str,
    chunks: Sequence[Chunk],
    *,
    weak: bool = False,
    similarity: Similarity | None = None,
) -> Passage | None:
    """The sentence of ``chunks`` that ``topic`` most likely refers to, or ``None``.

    A sentence that is itself a callback is skipped (it refers back too, and is not the
    event). ``similarity`` (embeddings) lets a paraphrase count when its words differ.
    """
    floor = MIN_MATCH_WEAK if weak else MIN_MATCH
    best: Passage | None = None
    for chunk in chunks:
        for s in split_sentences(chunk.words, max_words=None):
            score = lexical_match(topic, s.text)
            if score < floor and similarity and similarity(topic, s.text) >= MIN_COSINE:
                score = floor
            if score < floor or any(c.kind == "callback" for c in sentence_cues(s)):
                continue
            if best is None or _better(score, chunk, best):
                best = Passage(chunk.stream_id, s.start, s.end, s.text, chunk.said_at, score)
    return best


def _better(score: float, chunk: Chunk, best: Passage) -> bool:
    """A closer match wins; between equal ones the more recent (what "last time" means)."""
    if abs(score - best.match) > 1e-9:
        return score > best.match
    return chunk.said_at > best.said_at
