"""Rolling context, overlap de-duplication and voice activity (pure)."""

from __future__ import annotations

import numpy as np

from clippy.transcribe.base import Word
from clippy.transcribe.rolling import (
    RollingContext,
    drop_cut_edge,
    join_lead_in,
    merge_overlap,
    quiet_point,
    tail_text,
)
from clippy.transcribe.vad import speech_fraction, speech_regions


def test_merge_overlap_drops_words_heard_twice() -> None:
    prev = [Word("we", 8.0, 8.2), Word("won", 8.3, 8.6), Word("the", 9.5, 9.7)]
    new = [
        Word("won", 8.35, 8.6),
        Word("the", 9.45, 9.7),
        Word("game", 9.8, 10.3),
        Word("today", 10.4, 10.9),
    ]
    merged = merge_overlap(prev, new, overlap_start=8.0, overlap_end=10.0)
    assert [w.text for w in merged] == ["game", "today"]


def test_merge_overlap_keeps_words_cut_at_the_edge() -> None:
    prev = [Word("amaz", 9.7, 10.0)]
    new = [Word("amazing", 9.7, 10.2)]
    assert [w.text for w in merge_overlap(prev, new, 9.0, 10.0)] == ["amazing"]


def test_lead_in_keeps_only_the_word_lost_at_the_join() -> None:
    # The previous live segment ended at 10.0 s in the middle of "pushing" and left it out.
    previous = [Word("enemy", 9.0, 9.3), Word("team", 9.35, 9.6), Word("is", 9.65, 9.75)]
    heard = [
        Word("my", 9.05, 9.3),  # cut at the lead-in's start: the previous segment's word
        Word("team", 9.55, 9.6),
        Word("is", 9.62, 9.75),
        Word("pushing", 9.8, 10.2),
        Word("the", 10.25, 10.4),
    ]
    kept = join_lead_in(previous, heard, start=10.0, lead_in=1.0)
    assert [w.text for w in kept] == ["pushing", "the"]
    assert join_lead_in(previous, heard, start=10.0, lead_in=0.0) == heard


def test_a_word_going_on_at_the_end_is_left_to_the_next_window() -> None:
    words = [Word("the", 9.2, 9.4), Word("bush", 9.7, 9.99)]
    assert [w.text for w in drop_cut_edge(words, 10.0)] == ["the"]


def test_rolling_context_keeps_the_tail() -> None:
    ctx = RollingContext(max_chars=20)
    ctx.add([Word("hello", 0, 1), Word("there", 1, 2)])
    ctx.add([Word("general", 2, 3), Word("kenobi", 3, 4)])
    assert ctx.prompt.endswith("general kenobi") and len(ctx.prompt) <= 20


def test_vad_tells_speech_from_silence() -> None:
    sr = 16000
    t = np.arange(sr * 2) / sr
    # A voiced-like signal: 150 Hz harmonics with a 4 Hz syllable envelope.
    voiced = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 8))
    voiced *= 0.5 * (1 + np.sin(2 * np.pi * 4 * t)) * 0.3
    audio = np.concatenate([np.zeros(sr), voiced, np.zeros(sr)]).astype(np.float32)
    assert speech_fraction(np.zeros(sr, np.float32)) == 0.0
    regions = speech_regions(audio)
    assert regions and regions[0][0] >= 0.8 and regions[-1][1] <= 3.2
    assert 0.2 < speech_fraction(audio) < 0.8


def test_windows_end_at_the_quietest_moment() -> None:
    sr = 16000
    rng = np.random.default_rng(3)
    audio = (0.3 * rng.standard_normal(sr * 10)).astype(np.float32)
    audio[int(7.5 * sr) : int(7.7 * sr)] *= 0.01  # a short pause between words at 7.5-7.7 s
    cut = quiet_point(audio, 9 * sr, 3 * sr)
    assert 7.5 * sr <= cut <= 7.7 * sr
    assert quiet_point(audio, 100, 1000) == 100  # under one 20 ms frame to search: kept


def test_prompt_tail_starts_at_a_word() -> None:
    assert tail_text(["alpha beta", "", "gamma delta"], max_chars=12) == "gamma delta"
    assert tail_text(["one two"], max_chars=50) == "one two"
