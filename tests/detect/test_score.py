"""Per-second scores from combined signals, with the reasons kept."""

from __future__ import annotations

import numpy as np
import pytest

from clippy.detect.phrases import phrase_list
from clippy.detect.score import ScoringConfig, Timeline, WindowSignals, score_timeline
from tests.detect.synthetic import words_of


def _calm(n: int) -> np.ndarray:
    return -26.0 + np.random.default_rng(3).uniform(-1.5, 1.5, n)


def test_calm_window_scores_nothing() -> None:
    tl = score_timeline(
        WindowSignals(
            t0=60.0,
            t1=120.0,
            loudness=_calm(120),
            history=60,
            words=words_of("so we are going to head over to the left side", 70.0),
            chat_times=list(np.arange(0, 120, 2.0)),
            phrases=phrase_list(),
        )
    )
    assert len(tl.score) == 60 and tl.t0 == 60.0
    assert tl.score.max() == 0.0
    assert tl.reason_text(0, 60) == ""


def test_loudness_spike_scores_by_db_over_the_baseline() -> None:
    loud = _calm(120)
    loud[90] = -26.0 + 14.0
    tl = score_timeline(WindowSignals(t0=60.0, t1=120.0, loudness=loud, history=60))
    assert np.flatnonzero(tl.score) == pytest.approx([30])
    # 14 dB over: the first 6 are free, each further 6 is a point.
    assert tl.score[30] == pytest.approx((14 - 6) / 6, abs=0.3)
    assert tl.reason_text(30, 31) == "loudness +14 dB"


def test_speech_between_gated_silences_is_no_moment_and_a_shout_still_is() -> None:
    """A noise gate (or generated speech) leaves digital silence between sentences: calm
    sentences 8 s in every 30 s used to score "+64 dB" each against a silent usual level."""
    loud = np.full(240, -90.0)
    for s0 in range(0, 240, 30):
        loud[s0 : s0 + 8] = _calm(8)
    tl = score_timeline(WindowSignals(t0=60.0, t1=240.0, loudness=loud, history=60))
    assert tl.score.max() == 0.0
    loud[152] = -26.0 + 14.0  # a shout within a sentence: 14 dB over the voice, not silence
    tl = score_timeline(WindowSignals(t0=60.0, t1=240.0, loudness=loud, history=60))
    assert np.flatnonzero(tl.score >= 1.0).tolist() == [92]
    assert tl.reason_text(92, 93) == "loudness +14 dB"


def test_a_hype_phrase_alone_is_not_a_moment_but_clip_that_is() -> None:
    cfg = ScoringConfig()
    words = words_of("no way", 5.0) + words_of("okay clip that", 20.0)
    tl = score_timeline(
        WindowSignals(
            t0=0.0, t1=30.0, loudness=np.full(30, -26.0), words=words, phrases=phrase_list()
        )
    )
    assert 0 < tl.score[5] < cfg.threshold
    assert tl.score[20] >= cfg.threshold
    assert tl.points[20] == {"phrases": cfg.command_points}
    assert tl.reason_text(20, 21) == "'clip that'"


def test_every_signal_adds_up_and_is_named_in_the_reason() -> None:
    loud = _calm(150)
    loud[100:103] = -12.0
    # Viewers react some 20 s after what they saw: their burst counts at the moment itself.
    chat = list(np.arange(0, 150, 2.0)) + list(np.linspace(118, 123, 30))
    words = words_of("i hate this so much it is terrible", 90.0) + words_of(
        "no way we won this is amazing", 99.5
    )
    tl = score_timeline(
        WindowSignals(
            t0=60.0,
            t1=150.0,
            loudness=loud,
            history=60,
            words=words,
            chat_times=sorted(chat),
            phrases=phrase_list(),
        )
    )
    i = 40  # second 100
    assert set(tl.points[i]) == {"loudness", "phrases", "sentiment", "chat"}
    for k in range(90):
        assert tl.score[k] == pytest.approx(sum(tl.points[k].values()))
    reason = tl.reason_text(40, 46)
    assert reason.startswith("loudness +14 dB, 'no way', chat ×")  # noqa: RUF001
    assert "sentiment swing +1." in reason


def test_laughter_and_shout_series_add_points() -> None:
    n = 90
    loud = np.full(n, -26.0)
    centroid = np.full(n, 400.0)
    pitch = np.full(n, 140.0)
    laughter = np.zeros(n)
    loud[80], centroid[80], pitch[80] = -10.0, 900.0, 260.0
    laughter[85] = 0.9
    tl = score_timeline(
        WindowSignals(
            t0=60.0,
            t1=90.0,
            loudness=loud,
            history=60,
            centroid=centroid,
            pitch=pitch,
            laughter=laughter,
        )
    )
    assert set(tl.points[20]) == {"loudness", "shout"}
    assert tl.points[25] == {"laughter": pytest.approx(0.45)}
    assert tl.reason_text(20, 26) == "loudness +16 dB, shouting, laughter"


def test_reason_text_keeps_the_strongest_value_of_each_signal() -> None:
    tl = Timeline(
        t0=0.0,
        score=np.ones(3),
        reasons=[
            {"loudness": 9.0, "phrases": ["no way"]},
            {"loudness": 14.2, "chat": 6.1, "phrases": ["no way", "let's go"]},
            {"sentiment": 0.9},
        ],
    )
    assert tl.reason_text(0, 3) == (
        "loudness +14 dB, 'no way', 'let's go', chat ×6, sentiment swing +0.9"  # noqa: RUF001
    )
