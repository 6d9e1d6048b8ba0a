"""Timed words (as the transcriber stores them) grouped into sentence-like runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A word is a mapping with ``text``, ``start`` and ``end`` (stream seconds) and usually
# ``confidence``: the JSON the transcriber stores, used as is.
Word = Mapping[str, Any]

PAUSE_SECONDS = 0.6  # silence between words that ends a sentence-like run
MAX_SENTENCE_WORDS = 12


@dataclass(frozen=True)
class Sentence:
    """A run of words between pauses: ``[start, end]`` in stream seconds and its text."""

    start: float
    end: float
    text: str


def split_sentences(
    words: Sequence[Word],
    *,
    pause: float = PAUSE_SECONDS,
    max_words: int | None = MAX_SENTENCE_WORDS,
) -> list[Sentence]:
    """Split words at pauses over ``pause`` seconds, and every ``max_words`` within a run.

    The word-count split restarts after each pause, so the same speech gives the same sentences
    whatever word the list starts at (once a pause has been seen): live windows that begin at
    different times agree with each other and with an offline pass.
    """
    runs: list[list[Word]] = []
    prev_end: float | None = None
    since_pause = 0
    for w in words:
        start = float(w["start"])
        new_run = prev_end is None or start - prev_end > pause
        if new_run:
            since_pause = 0
        if new_run or (max_words is not None and since_pause % max_words == 0):
            runs.append([])
        runs[-1].append(w)
        since_pause += 1
        prev_end = float(w["end"])
    return [
        Sentence(float(r[0]["start"]), float(r[-1]["end"]), " ".join(str(w["text"]) for w in r))
        for r in runs
    ]
