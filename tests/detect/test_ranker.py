"""The learned chat ranker: its features, its file, and the live scorer using it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clippy.detect.audience import CHAT_HISTORY_SECONDS, REACTION_TOKENS, audience_multiplier
from clippy.detect.chat import ChatLine
from clippy.detect.chat_features import FEATURES, chat_features
from clippy.detect.ranker import (
    ChatRanker,
    RankerFileError,
    default_ranker,
    ranked_multiplier,
    ranker_from_json,
)
from clippy.detect.score import ScoringConfig, WindowSignals, score_timeline

REMARKS = ("what rank is he", "is this patch new", "nice hat", "who is casting", "brb food")


def _trickle(t0: int, t1: int) -> list[ChatLine]:
    """A calm chat: one remark every 2 s, different viewers, different words."""
    return [ChatLine(float(t), f"calm{t % 11}", REMARKS[t % 5] + f" {t}") for t in range(t0, t1, 2)]


DISTINCT = sorted(tok.upper() for tok in REACTION_TOKENS if len(tok) >= 3)[:20]


def _burst(t: float, text: str | None) -> list[ChatLine]:
    """20 viewers in 10 s: all pasting ``text``, or each a reaction of their own (as much
    weight per line, nothing repeated)."""
    return [ChatLine(t + k / 2, f"fan{k}", text or DISTINCT[k]) for k in range(20)]


def _col(feats: np.ndarray, name: str) -> np.ndarray:
    return feats[:, FEATURES.index(name)]


def test_features_see_a_crowd_pasting_one_emote() -> None:
    chat = _trickle(0, 300) + _burst(200.0, "LUL")
    feats = chat_features(chat, 0.0, 300.0)
    assert feats.shape == (300, len(FEATURES))
    assert not feats[:59].any()  # no usual level yet
    after = 212  # the burst is all inside the 25 s window ending here
    assert _col(feats, "log_mult")[after] > 2.0  # x4 and more over the calm level
    assert _col(feats, "reaction_share")[after] > 0.5
    assert _col(feats, "echo_share")[after] > 0.5
    assert _col(feats, "log_length_change")[after] < -0.5  # one word against four
    calm = 150
    assert abs(_col(feats, "echo_share")[calm]) < 0.05
    assert abs(_col(feats, "log_mult")[calm]) < 0.3


def test_a_channel_that_always_pastes_one_line_is_not_always_echoing() -> None:
    chat = [ChatLine(float(t), f"u{t % 7}", "what rank is he") for t in range(0, 300, 3)]
    feats = chat_features(chat, 0.0, 300.0)
    assert np.abs(_col(feats, "echo_share")[90:]).max() < 0.05


def test_a_live_window_and_the_offline_pass_agree() -> None:
    chat = _trickle(0, 400) + _burst(310.0, "KEKW")
    whole = chat_features(chat, 0.0, 400.0)
    t0 = 300.0
    live_chat = [c for c in chat if c.time >= t0 - CHAT_HISTORY_SECONDS]
    window = chat_features(live_chat, t0, 340.0)
    np.testing.assert_allclose(window, whole[300:340])


def test_the_shipped_ranker_loads_and_the_rate_alone_is_the_audience_multiplier() -> None:
    assert isinstance(default_ranker(), ChatRanker)
    chat = _trickle(0, 300) + _burst(200.0, "LUL")
    rate, mult = ranked_multiplier(chat, 0.0, 300.0, history=120.0, ranker=ChatRanker())
    np.testing.assert_allclose(mult, audience_multiplier(chat, 0.0, 300.0))
    np.testing.assert_allclose(rate, mult)
    # The learned path's rate is the same signal (a zero rate aside, floored for the log).
    zero_beta = ChatRanker(("echo_share",), (0.0,), (0.0,))
    rate2, mult2 = ranked_multiplier(chat, 0.0, 300.0, history=120.0, ranker=zero_beta)
    busy = mult > 0.1
    np.testing.assert_allclose(mult2[busy], mult[busy])
    np.testing.assert_allclose(rate2[busy], mult[busy])


def test_content_weights_rank_an_echoed_burst_above_an_equally_fast_one() -> None:
    ranker = ChatRanker(("echo_share",), (0.0,), (2.0,))
    echoed = _trickle(0, 300) + _burst(200.0, "LUL")
    distinct = _trickle(0, 300) + _burst(200.0, None)
    rate_e, mult_e = ranked_multiplier(echoed, 0.0, 300.0, history=120.0, ranker=ranker)
    rate_d, mult_d = ranked_multiplier(distinct, 0.0, 300.0, history=120.0, ranker=ranker)
    assert rate_e[212] == pytest.approx(rate_d[212])  # as fast, as much weight
    assert mult_e[212] > 2 * mult_d[212]  # 19 of ~32 lines echoed, beta 2: x2.3
    # The scorer uses it, and tells people the rate (not the ranked value) as the reason.
    cfg = ScoringConfig(chat_ranker=ranker)
    sig = WindowSignals(t0=0.0, t1=300.0, loudness=np.full(300, -90.0), chat=echoed)
    tl = score_timeline(sig, cfg)
    plain = score_timeline(sig, ScoringConfig(chat_ranker=ChatRanker()))
    assert tl.score.max() > plain.score.max()
    top = int(np.argmax(tl.score))
    assert tl.reasons[top]["chat"] == pytest.approx(rate_e[top + 27])


def test_chat_known_only_by_its_times_is_ranked_by_the_rate() -> None:
    ranker = ChatRanker(("echo_share",), (0.5,), (3.0,))  # would punish "no echo" hard
    times = [ChatLine(float(t)) for t in range(0, 300, 2)] + [
        ChatLine(200.0 + k / 4) for k in range(40)
    ]
    sig = WindowSignals(t0=0.0, t1=300.0, loudness=np.full(300, -90.0), chat=times)
    with_ranker = score_timeline(sig, ScoringConfig(chat_ranker=ranker))
    plain = score_timeline(sig, ScoringConfig(chat_ranker=ChatRanker()))
    np.testing.assert_allclose(with_ranker.score, plain.score)


def test_ranker_file_round_trips() -> None:
    ranker = ChatRanker(("echo_share", "caps_share"), (0.1, 0.0), (2.5, 0.5))
    assert ranker_from_json(ranker.to_json()) == ranker


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "version"),
        ({"version": 99, "features": [], "means": [], "betas": []}, "version"),
        ({"version": 1, "features": "echo_share", "means": [], "betas": []}, "lists"),
        ({"version": 1, "features": ["echo_share"], "means": [], "betas": [1.0]}, "length"),
        ({"version": 1, "features": ["volume"], "means": [0.0], "betas": [1.0]}, "unknown"),
        ({"version": 1, "features": ["log_mult"], "means": [0.0], "betas": [1.0]}, "unknown"),
        ({"version": 1, "features": ["echo_share"], "means": [0.0], "betas": [math.nan]}, "finite"),
        ({"version": 1, "features": ["echo_share"], "means": ["a"], "betas": [1.0]}, "finite"),
    ],
)
def test_a_bad_ranker_file_is_refused_naming_the_problem(data: object, says: str) -> None:
    with pytest.raises(RankerFileError, match=says):
        ranker_from_json(data)
