"""VADER sentiment on sentence chunks and mood-swing detection, on real sentences."""

from __future__ import annotations

from clippy.detect.sentiment import SentimentChunk, sentiment_series, sentiment_swings
from tests.detect.synthetic import words_of


def _talk(*sentences: str) -> list[dict[str, object]]:
    words: list[dict[str, object]] = []
    t = 0.0
    for s in sentences:
        words += words_of(s, t)
        t = float(words[-1]["end"]) + 1.0  # type: ignore[arg-type]
    return words


def test_series_scores_each_sentence() -> None:
    series = sentiment_series(
        _talk(
            "so we are going to head over to the left side",
            "this is absolutely amazing i love it",
            "i hate this it is terrible",
        )
    )
    assert len(series) == 3
    assert series[0].compound == 0.0
    assert series[1].compound > 0.7
    assert series[2].compound < -0.6
    assert series[1].text == "this is absolutely amazing i love it"


def test_despair_to_joy_is_a_positive_swing() -> None:
    series = sentiment_series(
        _talk(
            "let me check the settings before the next round",
            "no this is terrible i hate it we lost everything",
            "wait yes we won this is amazing i love it",
        )
    )
    (swing,) = sentiment_swings(series)
    # Despair right after neutral talk is one charged sentence, not yet a change of context;
    # despair then joy is a reversal.
    assert swing.start == series[2].start
    assert swing.change > 1.5 and swing.magnitude == swing.change


def test_calm_talk_has_no_swings() -> None:
    series = sentiment_series(
        _talk(
            "the map is quite large and there are many places to explore",
            "i will read some messages from the chat in a moment",
            "this part of the level is usually pretty quiet",
        )
    )
    assert sentiment_swings(series) == []


def test_mild_change_is_not_a_swing() -> None:
    series = [SentimentChunk(0, 2, "a", 0.1), SentimentChunk(3, 5, "b", 0.6)]
    assert sentiment_swings(series) == []


def test_one_positive_remark_amid_calm_talk_is_not_a_swing() -> None:
    # The case accurate words exposed: a calm, mildly (or even clearly) positive comment about
    # the game between neutral sentences made a "sentiment swing" clip.
    for remark in ("this game looks really nice today", "wow this game is really great"):
        series = sentiment_series(
            _talk(
                "let me check the settings before the next round",
                "the map is quite large and there are many places to explore",
                remark,
                "i will read some messages from the chat in a moment",
            )
        )
        assert series[2].compound >= 0.3
        assert sentiment_swings(series) == [], remark


def test_mood_sustained_over_sentences_is_a_swing() -> None:
    series = sentiment_series(
        _talk(
            "let me check the settings before the next round",
            "the map is quite large and there are many places to explore",
            "yes we won this is amazing i love it",
            "that was the best game ever so happy",
        )
    )
    (swing,) = sentiment_swings(series)
    assert swing.start == series[2].start and swing.change >= 0.8
