"""Reference cues: callbacks, predictions and outcomes are found; look-alikes are not."""

from __future__ import annotations

import pytest

from clippy.detect.chat import ChatLine
from clippy.detect.words import Sentence
from clippy.memory.cues import CALLBACK, OUTCOME, PREDICTION, chat_cues, find_cues, sentence_cues


def kinds(text: str) -> list[tuple[str, str, bool]]:
    return [(c.kind, c.topic, c.weak) for c in sentence_cues(Sentence(0.0, 2.0, text))]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Remember yesterday when I fell off the bridge?", "i fell off the bridge"),
        ("remember last stream when the dragon ate my horse", "the dragon ate my horse"),
        ("Remember how we built the castle by the lake", "we built the castle by the lake"),
        ("Oh no, I fell off the bridge, just like yesterday.", "oh no i fell off the bridge"),
    ],
)
def test_explicit_callbacks_carry_their_topic(text: str, topic: str) -> None:
    assert kinds(text) == [(CALLBACK, topic, False)]


def test_again_is_a_weak_callback_that_needs_a_topic() -> None:
    assert kinds("I fell off the bridge again!") == [(CALLBACK, "i fell off the bridge", True)]
    assert kinds("here we go again") == []  # nothing to look up


@pytest.mark.parametrize(
    "text",
    [
        "I remember the map now.",
        "Remember to drink some water everyone",
        "i will remember that for next time",
        "I'm going to check the settings",
        "we went to the lake yesterday",
    ],
)
def test_look_alikes_are_no_cues(text: str) -> None:
    assert kinds(text) == []


def test_predictions_and_outcomes() -> None:
    assert kinds("I bet I win this next round.") == [(PREDICTION, "i win this next round", False)]
    assert kinds("I'm going to win this game") == [(PREDICTION, "win this game", False)]
    # A bare outcome names nothing; one that says what came true keeps it as the topic.
    assert kinds("I told you! I called it!") == [(OUTCOME, "", False)]
    assert kinds("I told you I would hit it!") == [(OUTCOME, "hit it", False)]


def test_cues_from_timed_words_keep_their_sentence_times() -> None:
    said = [
        "calm",
        "talk",
        "here",
        ".",
        "remember",
        "yesterday",
        "when",
        "i",
        "fell",
        "off",
        "the",
        "bridge",
    ]
    words = [
        {"text": w, "start": 10.0 + i * 0.3, "end": 10.25 + i * 0.3} for i, w in enumerate(said)
    ]
    words[4:] = [{**w, "start": w["start"] + 2, "end": w["end"] + 2} for w in words[4:]]  # pause
    (cue,) = find_cues(words)
    assert cue.kind == CALLBACK and cue.start == pytest.approx(13.2) and cue.end > cue.start


def test_chat_cues_need_several_viewers() -> None:
    one = [ChatLine(100.0, "a", "callback lol")]
    assert chat_cues(one) == []
    two = [*one, ChatLine(104.0, "b", "he did it AGAIN"), ChatLine(105.0, "a", "again")]
    (cue,) = chat_cues(two, lag=27.0)
    assert cue.kind == CALLBACK and cue.start == pytest.approx(100.0 - 27.0 - 10.0)
    called = [ChatLine(50.0, "x", "CALLED IT"), ChatLine(52.0, "y", "he called it")]
    assert [c.kind for c in chat_cues(called)] == [OUTCOME]
