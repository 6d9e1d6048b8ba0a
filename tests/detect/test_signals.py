"""Audio signals on synthetic arrays whose levels and pitches are known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from clippy.detect.signals import (
    FLOOR_DB,
    energy_variance,
    laughter_score,
    loudness_db,
    pitch_hz,
    pitch_variance,
    relative_loudness,
    rolling_baseline,
    segment_features,
    shout_score,
    sound_baseline,
    spectral_centroid,
    speech_rate,
)
from tests.detect.synthetic import SR, tone, voice, words_of


@pytest.mark.parametrize("amplitude", [1.0, 0.5, 0.1, 0.01])
def test_loudness_of_a_sine_is_its_rms_in_dbfs(amplitude: float) -> None:
    t = np.arange(3 * SR) / SR
    x = (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    expected = 20 * np.log10(amplitude / np.sqrt(2))  # full-scale sine: -3.01 dBFS
    assert loudness_db(x, SR) == pytest.approx([expected] * 3, abs=0.05)


def test_loudness_floors_silence_and_pads_the_last_window() -> None:
    x = np.zeros(int(2.5 * SR), dtype=np.float32)
    levels = loudness_db(x, SR)
    assert len(levels) == 3
    assert np.all(levels == FLOOR_DB)
    assert len(loudness_db(np.zeros(0, dtype=np.float32), SR)) == 0


def test_rolling_baseline_ignores_the_spike_itself() -> None:
    values = np.full(60, -30.0)
    values[40] = -10.0
    base = rolling_baseline(values, 30)
    assert base[40] == -30.0
    # A single spike cannot move a median of 30 values.
    assert base[41] == -30.0
    rel = relative_loudness(values, base)
    assert rel[40] == pytest.approx(20.0)
    assert np.count_nonzero(rel) == 1


def test_rolling_baseline_follows_a_lasting_change_of_level() -> None:
    values = np.concatenate([np.full(30, -40.0), np.full(60, -20.0)])
    base = rolling_baseline(values, 20)
    assert base[25] == -40.0
    assert base[89] == -20.0  # the new normal after 20 s


def test_sound_baseline_leaves_silence_out() -> None:
    values = np.full(60, FLOOR_DB)
    values[10:15] = values[30:36] = -30.0
    values[50] = -18.0
    base = sound_baseline(values, 30)
    assert base[50] == -30.0  # the voice's level, not the silence around it
    assert base[10] == -30.0  # the first sound after silence is its own baseline
    assert base[5] == FLOOR_DB  # nothing heard yet: silence is compared with itself
    assert rolling_baseline(values, 30)[50] == FLOOR_DB  # what every sentence was measured by


def test_pitch_of_a_tone_and_of_noise() -> None:
    assert pitch_hz(tone(2, 200, -20), SR) == pytest.approx([200, 200], rel=0.02)
    assert pitch_hz(voice(2, 120, -20), SR) == pytest.approx([120, 120], rel=0.08)
    noise = np.random.default_rng(0).normal(0, 0.1, 2 * SR).astype(np.float32)
    assert list(pitch_hz(noise, SR)) == [0.0, 0.0]
    assert list(pitch_hz(np.zeros(SR, dtype=np.float32), SR)) == [0.0]


def test_pitch_variance_separates_a_gliding_voice_from_a_flat_one() -> None:
    t = np.arange(2 * SR) / SR
    glide = 150 + 100 * (t % 1)  # 150 → 250 Hz every second
    x = (0.3 * np.sin(2 * np.pi * np.cumsum(glide) / SR)).astype(np.float32)
    flat = pitch_variance(tone(2, 200, -20), SR)
    lively = pitch_variance(x, SR)
    assert np.all(flat < 0.01)
    # 150 → 250 Hz is 8.8 semitones; a uniform glide over it has a variance of ~6 st².
    assert np.all((lively > 4) & (lively < 9))


def test_energy_variance_separates_pulsing_from_steady_sound() -> None:
    steady = tone(2, 200, -20)
    pulsing = steady * np.repeat(np.tile([1.0, 0.1], 20), SR // 20).astype(np.float32)
    assert np.all(energy_variance(steady, SR) < 0.01)
    assert np.all(energy_variance(pulsing, SR) > 50)  # ±10 dB steps


def test_laughter_scores_syllable_rate_bursts_not_steady_voice() -> None:
    t = np.arange(3 * SR) / SR
    bursts = (np.sin(2 * np.pi * 5 * t) > 0.3).astype(np.float32)  # "ha" 5 times a second
    laugh = tone(3, 300, -15, harmonics=4) * bursts
    slow = tone(3, 300, -15, harmonics=4) * (np.sin(2 * np.pi * 1 * t) > 0).astype(np.float32)
    assert np.all(laughter_score(laugh, SR) > 0.7)
    assert np.all(laughter_score(voice(3, 140, -20), SR) < 0.3)
    assert np.all(laughter_score(slow, SR) < 0.3)


def test_centroid_rises_with_brighter_harmonics() -> None:
    dull = spectral_centroid(tone(1, 150, -20, harmonics=1), SR)
    bright = spectral_centroid(tone(1, 150, -20, harmonics=15), SR)
    assert dull == pytest.approx([150], rel=0.05)
    assert bright[0] > 2 * dull[0]


def test_shout_score_needs_loud_bright_and_high_together() -> None:
    n = 80
    loud = np.full(n, -26.0)
    centroid = np.full(n, 400.0)
    pitch = np.full(n, 140.0)
    loud[70:73] = -10.0
    centroid[70:73] = 900.0
    pitch[70:73] = 260.0  # +10.7 semitones
    score = shout_score(loud, centroid, pitch)
    assert np.all(score[70:73] == 1.0)
    assert np.all(score[:70] == 0) and np.all(score[73:] == 0)
    # Loud but at the usual pitch: someone turned the game up, not a shout.
    assert np.all(shout_score(loud, centroid, np.full(n, 140.0))[70:73] == 0)
    # Loud and high but dull: not a raised voice either.
    assert np.all(shout_score(loud, np.full(n, 400.0), pitch)[70:73] == 0)
    # Without a pitch series loudness and brightness decide.
    assert np.all(shout_score(loud, centroid)[70:73] == 1.0)


def test_speech_rate_counts_word_starts_per_bin() -> None:
    words = words_of("one two three four five six", 10.0, gap=0.5)  # 10.0 … 12.5
    assert list(speech_rate(words, 10.0, 14.0)) == [2.0, 2.0, 2.0, 0.0]
    assert list(speech_rate(words, 10.0, 14.0, step=2.0)) == [2.0, 1.0]


def test_segment_features_are_json_lists_per_second() -> None:
    x = np.concatenate([voice(5, 140, -26), np.zeros(5 * SR, dtype=np.float32)])
    feats = segment_features(x, SR, 120.0)
    decoded = json.loads(json.dumps(feats))
    assert decoded["start"] == 120.0 and decoded["step"] == 1.0
    keys = {"loudness", "centroid", "pitch", "pitch_var", "energy_var", "laughter"}
    assert keys <= set(decoded)
    for key in keys:
        assert len(decoded[key]) == 10, key
    assert decoded["loudness"][0] == pytest.approx(-26, abs=0.5)
    assert decoded["loudness"][9] == FLOOR_DB
    assert decoded["pitch"][0] == pytest.approx(140, rel=0.08)
    assert decoded["pitch"][9] == 0
