"""The audience signal: weighted chat activity, or reaction messages, over the channel's level."""

from __future__ import annotations

import numpy as np

from clippy.detect.audience import (
    CHAT_HISTORY_SECONDS,
    audience_counts,
    audience_multiplier,
    is_reaction,
)
from clippy.detect.chat import ChatLine

TALK = "did you see the patch notes for the new hero today"  # 11 words: a long remark


def _conversation(t0: int, t1: int) -> list[ChatLine]:
    """A chat busy with conversation: six long remarks a second, each of 80 viewers speaking
    every 13 s or so."""
    return [
        ChatLine(t + k / 6, f"talker{(6 * t + k) % 80}", f"{TALK} {t}")
        for t in range(t0, t1)
        for k in range(6)
    ]


def _wordy_reactions(t: float, viewers: int = 30) -> list[ChatLine]:
    """``viewers`` viewers laughing in long sentences over 10 s: little weight each."""
    line = "LUL that was the funniest thing I have seen all week"
    return [ChatLine(t + k / 3, f"fan{k}", line) for k in range(viewers)]


def test_is_reaction_reads_tokens_not_substrings() -> None:
    assert is_reaction("OMEGALUL he missed")
    assert is_reaction("clip it")
    assert not is_reaction("Pogostick")  # a word that merely starts like an emote
    assert not is_reaction("what rank is he")


def test_reaction_messages_in_a_busy_chat_raise_the_signal() -> None:
    chat = _conversation(0, 300) + _wordy_reactions(200.0)
    counts = audience_counts(chat, 0.0, 300.0)
    after = 212  # the reactions are all inside the 25 s window ending here
    weighted_rise = counts[after - 24 : after + 1, 0].sum() / counts[150:175, 0].sum()
    assert weighted_rise < 1.5  # the weighted activity barely moves under the conversation
    mult = audience_multiplier(chat, 0.0, 300.0)
    assert mult[after] >= 5.0  # 30 reactions in 25 s against none usually (floored): x6
    assert mult[150] < 1.25  # the conversation alone is the usual level
    quiet = audience_multiplier(_conversation(0, 300), 0.0, 300.0)
    assert quiet.max() < 1.25


def test_one_viewer_pasting_an_emote_is_one_reaction() -> None:
    spam = [ChatLine(200.0 + k / 3, "spammer", "LUL LUL LUL") for k in range(30)]
    chat = _conversation(0, 300) + spam
    assert audience_counts(chat, 0.0, 300.0)[:, 1].sum() == 1  # 10 s of it: counted once
    assert audience_multiplier(chat, 0.0, 300.0).max() < 1.25


def test_the_first_minute_has_no_usual_level_yet() -> None:
    chat = _wordy_reactions(10.0) + _conversation(0, 120)
    mult = audience_multiplier(chat, 0.0, 120.0)
    assert np.all(mult[:84] == 1.0)  # a 25 s window and under 60 s of history before it


def test_a_live_window_and_the_offline_pass_agree() -> None:
    chat = _conversation(0, 400) + _wordy_reactions(310.0)
    whole = audience_multiplier(chat, 0.0, 400.0)
    t0 = 300.0
    live = [c for c in chat if c.time >= t0 - CHAT_HISTORY_SECONDS]
    np.testing.assert_allclose(audience_multiplier(live, t0, 340.0), whole[300:340])
