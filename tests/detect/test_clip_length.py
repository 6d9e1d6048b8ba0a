"""Clip length preference: the choice (stream over account over server) and the planner
growing clips to it at sentence boundaries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from clippy.config import Settings
from clippy.detect.clip_length import (
    InvalidClipLength,
    effective_length,
    length_range,
    stored_length,
    with_length,
)
from clippy.detect.plan import PlanConfig, plan_clips
from clippy.detect.score import Timeline
from clippy.detect.words import split_sentences
from tests.detect.synthetic import words_of


def test_stream_choice_wins_over_account_over_server_default() -> None:
    assert Settings().clip_length == "medium"
    user = with_length({"detection": {"prompt": "x"}}, "long")
    assert user == {"detection": {"prompt": "x"}, "clip_length": "long"}
    assert effective_length(user, {"clip_length": "short"}) == "short"
    assert effective_length(user, {}) == "long"
    assert effective_length(None, None) == "medium"
    assert effective_length({}, None, default="short") == "short"
    assert stored_length({"clip_length": "huge"}) is None  # a stale value is ignored
    assert with_length(user, None) == {"detection": {"prompt": "x"}}
    assert length_range("short") == (15.0, 30.0) and length_range("long") == (60.0, 90.0)
    with pytest.raises(InvalidClipLength, match="clip length 'huge' is not one of short, medium"):
        with_length(user, "huge")


def _talk(seconds: int) -> list[dict[str, Any]]:
    """A sentence of 8 words (2.75 s) every 5 s: pauses between them are sentence breaks."""
    text = "we keep talking about the game right here"
    return [w for t in range(0, seconds, 5) for w in words_of(text, float(t))]


def _tl(n: int, peak: int) -> Timeline:
    score = np.zeros(n)
    score[peak] = 2.0
    reasons: list[dict[str, Any]] = [{} for _ in range(n)]
    reasons[peak] = {"loudness": 14.0}
    return Timeline(0.0, score, reasons)


@pytest.mark.parametrize("length", ["short", "medium", "long"])
def test_clip_grows_to_the_length_at_sentence_boundaries(length: str) -> None:
    words = _talk(300)
    lo, hi = length_range(length)
    [plan] = plan_clips(
        _tl(300, 150),
        words,
        available_until=300.0,
        final=True,
        cfg=PlanConfig(min_len=lo, max_len=hi),
    )
    assert lo <= plan.end - plan.start <= hi
    assert plan.start < 150.5 < plan.end
    sentences = split_sentences(words, max_words=None)
    # Both edges sit a quarter second outside a sentence: nothing starts or ends mid-word.
    assert any(abs(plan.start - (s.start - 0.25)) < 1e-6 for s in sentences), plan
    assert any(abs(plan.end - (s.end + 0.25)) < 1e-6 for s in sentences), plan
    # More of the clip is setup than payoff, and there is payoff after the moment.
    assert 150.5 - plan.start > plan.end - 151.0 > 3.0


def test_growth_stops_at_the_recording_and_the_longest_length() -> None:
    words = _talk(100)
    # The moment 20 s into the recording: the setup cannot reach back further than 0.
    [early] = plan_clips(
        _tl(100, 20),
        words,
        available_until=100.0,
        final=True,
        cfg=PlanConfig(min_len=30.0, max_len=60.0),
    )
    assert early.start >= 0.0 and 30.0 <= early.end - early.start <= 60.0
    # A sentence at the far edge that would push past max_len is left out, not cut into.
    [tight] = plan_clips(
        _tl(300, 150),
        words + _talk(300)[len(words) :],
        available_until=300.0,
        final=True,
        cfg=PlanConfig(min_len=30.0, max_len=31.0),
    )
    assert 30.0 <= tight.end - tight.start <= 31.0


def test_detection_window_uses_the_chosen_length() -> None:
    from clippy.pipeline.windows import WindowInput, plan_window

    loud = [-40.0] * 300
    loud[150] = -10.0
    window = WindowInput(
        t0=0.0,
        t1=300.0,
        features=[(0.0, {"loudness": loud})],
        words=_talk(300),
        chat=[],
        existing=[],
    )
    settings = Settings(detect_window_seconds=300.0)
    lengths = {}
    for choice in ("short", "long", None):
        window.clip_length = choice
        [plan] = plan_window(window, settings, final=True)
        lengths[choice] = plan.end - plan.start
    assert 15.0 <= lengths["short"] <= 30.0
    assert 60.0 <= lengths["long"] <= 90.0
    assert 30.0 <= lengths[None] <= 60.0  # the server's default: medium
