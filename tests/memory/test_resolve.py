"""Choosing what a cue refers to and shaping the clip (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clippy.detect.words import Sentence
from clippy.memory.cues import CALLBACK, Cue, sentence_cues
from clippy.memory.passages import Chunk, best_passage, lexical_match
from clippy.memory.resolve import (
    EARLIER_MAX,
    Span,
    ago,
    callback_plan,
    find_prediction,
    join_spans,
    prediction_plan,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def words(text: str, start: float) -> list[dict[str, float | str]]:
    return [
        {"text": w, "start": start + i * 0.4, "end": start + i * 0.4 + 0.3}
        for i, w in enumerate(text.split())
    ]


def chunk(stream: int, text: str, start: float, hours_ago: float, tid: int = 1) -> Chunk:
    return Chunk(tid, stream, NOW - timedelta(hours=hours_ago), words(text, start))


def test_the_matching_sentence_is_found_and_unrelated_ones_are_not() -> None:
    chunks = [
        chunk(1, "we need more wood before the night", 30.0, 21),
        chunk(1, "oh no i just fell off the bridge", 50.0, 20),
        chunk(2, "the bridge over the river is closed", 10.0, 2),
    ]
    p = best_passage("i fell off the bridge", chunks)
    assert p is not None and p.stream_id == 1 and p.start == pytest.approx(50.0)
    assert best_passage("the dragon ate my horse", chunks) is None
    # "again" needs a closer match than an explicit callback.
    assert lexical_match("fell off the rope bridge", "i just fell off the bridge") == 2 / 3
    assert best_passage("fell off the rope bridge", chunks, weak=True) is None
    assert best_passage("fell off the rope bridge", chunks) is not None


def test_a_sentence_that_is_itself_a_callback_is_not_the_event() -> None:
    chunks = [chunk(1, "remember when i fell off the bridge", 5.0, 3)]
    assert best_passage("i fell off the bridge", chunks) is None


def test_similarity_lets_a_paraphrase_count() -> None:
    chunks = [chunk(1, "i tumbled down from the overpass", 5.0, 3)]
    assert best_passage("i fell off the bridge", chunks) is None
    assert best_passage("i fell off the bridge", chunks, similarity=lambda a, b: 0.8) is not None


def test_callback_plan_has_both_ranges_in_order_and_names_both_times() -> None:
    (p,) = [best_passage("i fell off the bridge", [chunk(1, "i fell off the bridge", 50.0, 20)])]
    assert p is not None
    cue = Cue(CALLBACK, 30.0, 33.0, "remember yesterday when", "i fell off the bridge")
    plan = callback_plan(cue, p, 2, until=60.0, now=NOW, moments=[(46.0, 58.0)])
    assert plan.reason == "callback to 'i fell off the bridge' 20 h ago"
    earlier, now = plan.spans
    assert (
        earlier.stream_id == 1 and earlier.start == 46.0 and earlier.end == 58.0
    )  # grown to the moment clipped then
    assert earlier.end - earlier.start <= EARLIER_MAX
    assert now == Span(2, 28.0, 37.0)


def test_spans_of_one_stream_close_together_join() -> None:
    assert join_spans([Span(1, 0, 10), Span(1, 25, 30)]) == (Span(1, 0, 30),)
    assert join_spans([Span(1, 0, 10), Span(1, 40, 50)]) == (Span(1, 0, 10), Span(1, 40, 50))
    assert join_spans([Span(1, 0, 10), Span(2, 5, 9)]) == (Span(1, 0, 10), Span(2, 5, 9))


def test_an_outcome_confirms_the_prediction_it_names_or_the_latest() -> None:
    chunks = [
        chunk(3, "i bet i hit this jump", 10.0, 1.5, tid=1),
        chunk(3, "i bet i win this next round", 20.0, 0.2, tid=2),
    ]
    bare = sentence_cues(Sentence(600.0, 602.0, "I told you! I called it!"))[0]
    found = find_prediction(bare, chunks)
    assert found is not None and "win this next round" in found[0].text
    named = sentence_cues(Sentence(600.0, 602.0, "told you i would hit it"))[0]
    found = find_prediction(named, chunks)
    assert found is not None and "hit this jump" in found[0].text
    other = sentence_cues(Sentence(600.0, 602.0, "I told you the rules before"))[0]
    assert find_prediction(other, chunks) is None
    assert find_prediction(bare, [chunk(3, "we need more wood", 5.0, 0.1)]) is None
    passage, prediction = find_prediction(bare, chunks) or (None, None)
    assert passage is not None and prediction is not None
    plan = prediction_plan(bare, passage, prediction, 3, until=610.0, now=NOW)
    assert plan.reason == "prediction 'i bet i win this next round' came true 12 min later"
    assert [s.start for s in plan.spans] == [18.0, 598.0]


def test_ages_read_as_people_say_them() -> None:
    assert [ago(NOW - timedelta(seconds=s), NOW) for s in (40, 600, 72000, 259200)] == [
        "40 s",
        "10 min",
        "20 h",
        "3 days",
    ]
