"""A streamer's own key phrases and detection prompt: validation, storage JSON, plan gate,
and the phrases' weight in scoring."""

from __future__ import annotations

import numpy as np
import pytest

from clippy.detect.phrases import phrase_list
from clippy.detect.preferences import (
    MAX_PHRASES,
    MAX_PROMPT_CHARS,
    DetectionPrefs,
    InvalidPreferences,
    clean_prompt,
    effective_prefs,
    parse_key_phrases,
    stored_prefs,
    validate,
    with_prefs,
)
from clippy.detect.score import ScoringConfig, WindowSignals, score_timeline
from tests.detect.synthetic import words_of


def test_phrases_are_normalised_and_duplicates_dropped() -> None:
    text = "Pineapple Pizza!\n  pineapple   pizza \n\nLet\u2019s GO, team, OMG\noh my god\n"
    # Commas and lines both separate; "OMG" and "oh my god" are one phrase to the detector.
    assert parse_key_phrases(text) == ("pineapple pizza", "let's go", "team", "omg")
    assert parse_key_phrases("") == () and parse_key_phrases(" \n , \n") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!!", "“!!!” has no letters or digits"),
        ("one two three four five six seven", "has 7 words (at most 6)"),
        ("a" * 61, "is 61 characters (at most 60)"),
    ],
)
def test_bad_phrases_are_named_in_the_error(text: str, message: str) -> None:
    with pytest.raises(InvalidPreferences, match="Some key phrases cannot be used") as err:
        parse_key_phrases(f"good phrase\n{text}")
    assert message in str(err.value)


def test_many_bad_phrases_are_summarised() -> None:
    with pytest.raises(InvalidPreferences) as err:
        parse_key_phrases("\n".join(["?", "!", "#", "%", "&"]))
    assert str(err.value).endswith("; and 2 more.")


def test_at_most_fifty_phrases_after_duplicates_go() -> None:
    fifty = [f"phrase number {k}" for k in range(MAX_PHRASES)]
    assert len(parse_key_phrases("\n".join(fifty + fifty))) == MAX_PHRASES
    with pytest.raises(InvalidPreferences, match=r"52 key phrases given; at most 50 .* Remove 2"):
        parse_key_phrases("\n".join([*fifty, "one more", "and another"]))


def test_prompt_is_trimmed_and_limited() -> None:
    assert clean_prompt("  Clip my boss fights.\r\nNot the menus.  ") == (
        "Clip my boss fights.\nNot the menus."
    )
    assert len(clean_prompt("x" * MAX_PROMPT_CHARS)) == MAX_PROMPT_CHARS
    with pytest.raises(InvalidPreferences, match="2,001 characters long; at most 2,000"):
        clean_prompt("x" * (MAX_PROMPT_CHARS + 1))


def test_settings_json_round_trip_keeps_other_keys() -> None:
    prefs = validate("pineapple pizza", "Only clip wins.")
    merged = with_prefs({"theme": "dark"}, prefs)
    assert merged["theme"] == "dark"
    assert stored_prefs(merged) == prefs
    assert stored_prefs({}) == DetectionPrefs() and stored_prefs(None) == DetectionPrefs()
    assert stored_prefs({"detection": "garbage"}) == DetectionPrefs()


def test_only_business_applies_them() -> None:
    stored = with_prefs({}, validate("pineapple pizza", "Only clip wins."))
    assert effective_prefs("business", stored).key_phrases == ("pineapple pizza",)
    assert effective_prefs("pro", stored) == DetectionPrefs()
    assert effective_prefs("free", stored) == DetectionPrefs()


def test_a_streamer_phrase_alone_is_a_moment_a_plain_one_is_not() -> None:
    cfg = ScoringConfig()
    words = words_of("pineapple pizza", 5.0) + words_of("banana bread", 20.0)
    phrases = phrase_list(["pineapple pizza", "banana bread"])
    tl = score_timeline(
        WindowSignals(
            t0=0.0,
            t1=30.0,
            loudness=np.full(30, -26.0),
            words=words,
            phrases=phrases,
            streamer_phrases=("pineapple pizza",),
        )
    )
    assert tl.score[5] >= cfg.threshold and tl.points[5] == {"phrases": cfg.command_points}
    assert 0 < tl.score[20] < cfg.threshold  # a server-wide extra phrase: hype, not a command
    assert tl.reason_text(5, 6) == "'pineapple pizza'"


def test_clip_command_is_one_word_stored_and_optional() -> None:
    prefs = validate("", "", " !highlight ")
    assert prefs.clip_command == "!highlight"
    assert stored_prefs(with_prefs({}, prefs)).clip_command == "!highlight"
    assert stored_prefs(with_prefs({}, validate("", "", ""))).clip_command == ""  # turned off
    assert stored_prefs(with_prefs({}, validate("", ""))).clip_command is None  # the server's
    with pytest.raises(InvalidPreferences, match="must be one word, like !clip"):
        validate("", "", "!clip it")
    with pytest.raises(InvalidPreferences, match="at most 30"):
        validate("", "", "!" + "x" * 30)
