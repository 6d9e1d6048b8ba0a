"""Hype phrases in recognised words, tolerant of ASR spellings and splits."""

from __future__ import annotations

import pytest

from clippy.detect.phrases import BUILTIN_PHRASES, find_phrases, normalize, phrase_list
from tests.detect.synthetic import words_of


def _said(*tokens: str) -> list[tuple[str, float, float]]:
    words = [
        {"text": t, "start": round(i * 0.3, 2), "end": round(i * 0.3 + 0.25, 2)}
        for i, t in enumerate(tokens)
    ]
    return [(h.phrase, h.start, h.end) for h in find_phrases(words, phrase_list())]


@pytest.mark.parametrize(
    "tokens",
    [("Oh", "my", "God!"), ("OMG",), ("omg",), ("O.", "M.", "G."), ("oh", "my", "gosh")],
)
def test_oh_my_god_in_every_spelling_is_one_hit(tokens: tuple[str, ...]) -> None:
    hits = _said("well", *tokens, "again")
    assert len(hits) == 1
    assert hits[0][0] in {"oh my god", "oh my gosh"}
    assert hits[0][1] == 0.3  # starts with the first word of the phrase


@pytest.mark.parametrize(
    "tokens", [("lets", "go"), ("Let's", "GO!!"), ("let", "'s", "go"), ("let\u2019s", "go")]
)
def test_lets_go_with_or_without_the_apostrophe(tokens: tuple[str, ...]) -> None:
    assert [h[0] for h in _said(*tokens)] == ["let's go"]


def test_longest_phrase_wins_and_laughs_merge() -> None:
    assert _said("no", "way", "ha", "ha", "ha") == [("no way", 0.0, 0.55), ("haha", 0.6, 1.45)]
    assert [h[0] for h in _said("hahahaha", "LMFAO")] == ["haha", "lmao"]
    assert [h[0] for h in _said("what", "the", "hell")] == ["what the hell"]


def test_what_the_is_an_exclamation_only_when_broken_off() -> None:
    # Calm talk: the sentence carries on right after "what the".
    calm = words_of("i think the best strategy is to wait and see what the other team does", 5.0)
    assert find_phrases(calm, phrase_list()) == []
    # "What the—!" with nothing after, or a pause before the next words.
    assert [h[0] for h in _said("oh", "what", "the")] == ["what the"]
    broken = [
        {"text": "what", "start": 1.0, "end": 1.2},
        {"text": "the", "start": 1.2, "end": 1.35},
        {"text": "how", "start": 1.9, "end": 2.1},
    ]
    assert [(h.phrase, h.start, h.end) for h in find_phrases(broken, phrase_list())] == [
        ("what the", 1.0, 1.35)
    ]


def test_no_hit_in_calm_talk_or_across_word_parts() -> None:
    assert _said("we", "know", "a", "way", "home") == []
    assert _said("holyoke", "is", "a", "city") == []


def test_extra_phrases_from_settings_are_matched() -> None:
    phrases = phrase_list(" gg wp , clutch,,")
    assert phrases[: len(BUILTIN_PHRASES)] == list(BUILTIN_PHRASES)
    assert phrases[len(BUILTIN_PHRASES) :] == ["gg wp", "clutch"]
    hits = find_phrases(words_of("that was so CLUTCH gg wp", 10.0), phrases)
    assert [(h.phrase, h.start) for h in hits] == [("clutch", 11.05), ("gg wp", 11.4)]


def test_normalize_unifies_spellings() -> None:
    assert normalize("Let's GO!!") == ["let's", "go"]
    assert normalize("OMG") == normalize("oh my gosh") == ["oh", "my", "god"]
    assert normalize("\u2018no way\u2019") == ["no", "way"]
