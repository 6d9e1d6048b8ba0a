"""Sentence-like runs of timed words."""

from __future__ import annotations

from clippy.detect.words import split_sentences
from tests.detect.synthetic import words_of


def test_splits_at_pauses_longer_than_the_limit() -> None:
    words = words_of("first part here", 0.0) + words_of("second part", 2.0)
    sentences = split_sentences(words)
    assert [s.text for s in sentences] == ["first part here", "second part"]
    assert (sentences[0].start, sentences[0].end) == (0.0, 1.0)
    assert (sentences[1].start, sentences[1].end) == (2.0, 2.65)


def test_long_runs_split_every_max_words_counted_from_the_last_pause() -> None:
    text = " ".join(f"w{i}" for i in range(30))
    words = words_of("intro", 0.0) + words_of(text, 5.0)
    sentences = split_sentences(words, max_words=12)
    assert [len(s.text.split()) for s in sentences] == [1, 12, 12, 6]
    # Starting the list later (as a later live window does) gives the same sentences once
    # the pause at 0.3-5.0 s is inside it.
    assert split_sentences(words[1:], max_words=12) == sentences[1:]
    assert [s.text for s in split_sentences(words, max_words=None)][1] == text
