"""Fitting the chat ranker: it learns what tells labelled bursts from others, and is only
adopted when it wins on held-out videos."""

from __future__ import annotations

import numpy as np

from clippy.detect.audience import REACTION_TOKENS
from clippy.detect.chat import ChatLine
from clippy.detect.ranker import ChatRanker
from clippy.eval.lightor import Highlight, LabelledVideo
from clippy.eval.ranker_fit import adopt, fit_logistic, prepare, train, video_hits

DISTINCT = sorted(tok.upper() for tok in REACTION_TOKENS if len(tok) >= 3)


def _video(key: str, seed: int) -> LabelledVideo:
    """Eight reactions 150 s apart: the four labelled ones a crowd pasting one emote, the four
    others a little faster but every viewer saying their own thing; smaller rises between."""
    rnd = np.random.default_rng(seed)
    chat = [
        ChatLine(float(t), f"calm{t % 13}", f"remark {t} on the game") for t in range(0, 1500, 2)
    ]
    highlights = []
    for n in range(8):
        b = 200.0 + 150 * n + float(rnd.integers(0, 10))
        labelled = n % 2 == 0
        size = 20 if labelled else 26
        for k in range(size):
            text = "LUL" if labelled else DISTINCT[k]
            chat.append(ChatLine(b + k * 10 / size, f"fan{n}_{k}", text))
        if labelled:
            highlights.append(Highlight(b - 40, b))
        # and between them, a few viewers chatting a little faster than usual
        chat += [ChatLine(b + 75 + k, f"talk{n}_{k}", DISTINCT[-k - 1]) for k in range(8)]
    return LabelledVideo(key, sorted(chat, key=lambda c: c.time), highlights)


def test_the_ranker_learns_that_labelled_bursts_are_echoed() -> None:
    videos = [prepare(_video(str(s), s), lag=27, setup=8.0) for s in range(3)]
    ranker = train(videos[:2], ("echo_share",), strength=1.0)
    assert ranker.features == ("echo_share",) and ranker.betas[0] > 0
    held = videos[2]
    learned, plain = video_hits(held, ranker), video_hits(held, ChatRanker())
    assert learned[3] == 4  # the four labelled reactions first
    assert plain[3] < 4  # the rate alone puts the faster unlabelled ones first
    assert learned[9] == plain[9] == 4  # both find all four in their top ten


def test_logistic_fit_finds_the_direction_that_separates() -> None:
    rnd = np.random.default_rng(7)
    x = rnd.normal(size=(400, 2))
    y = (2 * x[:, 0] + x[:, 1] + 0.3 * rnd.normal(size=400) > 0).astype(float)
    w, mu = fit_logistic(x, y, strength=1.0)
    assert w[0] > w[1] > 0
    assert 1.3 < w[0] / w[1] < 3.0
    np.testing.assert_allclose(mu, x.mean(axis=0))


def test_a_ranker_is_adopted_only_for_a_held_out_gain_at_ten_without_a_loss_at_five() -> None:
    plain = np.tile(np.cumsum([1, 1, 0, 1, 0, 1, 0, 0, 1, 0]), (10, 1))
    better = plain.copy()
    better[:3, 9] += 1  # three more hits in 100 predictions
    assert adopt(better, plain)
    slight = plain.copy()
    slight[:1, 9] += 1  # one more: noise
    assert not adopt(slight, plain)
    worse_at_five = better.copy()
    worse_at_five[:, 4] -= 1
    assert not adopt(worse_at_five, plain)
