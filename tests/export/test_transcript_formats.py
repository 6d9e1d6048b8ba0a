"""Transcript files: cues at sentence ends and pauses, and the JSON, SRT, VTT and text shapes."""

from __future__ import annotations

import json

import pytest

from clippy.export.transcript_formats import cues, render
from clippy.transcribe.base import Word

WORDS = [
    Word("Oh", 1.0, 1.2, 0.9),
    Word("my", 1.2, 1.4, 0.95),
    Word("god!", 1.4, 1.9, 0.99),
    Word("Did", 2.0, 2.2, 0.8),
    Word("you", 2.2, 2.4, 0.8),
    Word("see", 2.4, 2.6, 0.8),
    Word("that", 2.6, 3.0, 0.8),
    Word("later", 3661.5, 3662.0, 0.7),
]


def test_cues_break_at_sentence_ends_and_pauses() -> None:
    assert [(c.text, c.start, c.end) for c in cues(WORDS)] == [
        ("Oh my god!", 1.0, 1.9),
        ("Did you see that", 2.0, 3.0),
        ("later", 3661.5, 3662.0),
    ]


def test_json_shape() -> None:
    data = json.loads(render(WORDS, "en", "json"))
    assert set(data) == {"language", "words", "segments"} and data["language"] == "en"
    assert data["words"][0] == {"text": "Oh", "start": 1.0, "end": 1.2, "confidence": 0.9}
    assert data["segments"][1] == {"text": "Did you see that", "start": 2.0, "end": 3.0}


def test_subtitles_and_text() -> None:
    srt = render(WORDS, "en", "srt")
    assert srt.startswith("1\n00:00:01,000 --> 00:00:01,900\nOh my god!\n")
    assert "3\n01:01:01,500 --> 01:01:02,000\nlater\n" in srt
    vtt = render(WORDS, "en", "vtt")
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:01.900\nOh my god!\n")
    assert render(WORDS, "en", "txt") == "Oh my god!\nDid you see that\nlater\n"
    assert render([], "en", "txt") == "" and render([], "en", "srt") == ""
    with pytest.raises(ValueError, match="choose one of json, srt, vtt, txt"):
        render(WORDS, "en", "doc")
