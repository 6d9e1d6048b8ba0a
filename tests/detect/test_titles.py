"""Clip titles from the words said at the moment, and the fallback from reason and time."""

from __future__ import annotations

from typing import Any

from clippy.detect.titles import TITLE_CHARS, clean_title, clip_title, clock, fallback_title


def said(
    text: str, start: float, step: float = 0.3, confidence: float = 0.9
) -> list[dict[str, Any]]:
    """Timed words of ``text`` from ``start``, one every ``step`` seconds."""
    return [
        {
            "text": w,
            "start": start + k * step,
            "end": start + k * step + step * 0.8,
            "confidence": confidence,
        }
        for k, w in enumerate(text.split())
    ]


def test_clean_title_drops_fillers_stutters_and_the_clip_command() -> None:
    assert clean_title("so um that that was so clean, clip it") == "That was so clean"
    long = clean_title("incredible play by the whole team in the last fight of the night " * 2)
    assert len(long) <= TITLE_CHARS and long.endswith("…") and long[0] == "I"


def test_the_sentence_at_the_peak_names_the_clip() -> None:
    words = said("we are just walking around here.", 0.0) + said("oh my god no way!", 10.0)
    title = clip_title(words, 10.0, 11.5, 10.5, [{"loudness": 12.0}])
    assert title == "Oh my god no way!"


def test_nothing_heard_at_the_moment_uses_the_clip_around_it() -> None:
    # Chat reacted to a pause; the clip around it holds what the streamer said before.
    words = said("let me check the settings first.", 2.0) + said("the map is large.", 20.0)
    reasons = [{"chat": 2.0}]
    assert clip_title(words, 11.0, 13.0, 12.0, reasons).startswith("Chat explodes at")
    assert clip_title(words, 11.0, 13.0, 12.0, reasons, clip=(0.0, 15.0)) == (
        "Let me check the settings first."
    )


def test_unclear_or_missing_words_give_reason_and_time() -> None:
    mumbled = said("what you get really", 60.0, confidence=0.2)
    assert clip_title(mumbled, 60.0, 61.0, 60.5, [{"loudness": 9.0}]) == "Huge reaction at 1:00"
    assert fallback_title([{"viewer_clip": 2}], 3730.0) == "Viewers clipped this at 1:02:10"
    assert clock(754.9) == "12:34"
