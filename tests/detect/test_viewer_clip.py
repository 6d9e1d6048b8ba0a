"""Viewers clip with a chat command: distinct senders, the 20 s window, badges, the reason."""

from __future__ import annotations

import numpy as np

from clippy.detect.chat import ChatLine
from clippy.detect.plan import plan_clips
from clippy.detect.score import WindowSignals, score_timeline
from clippy.detect.viewer_clip import clip_requests, is_command


def _chatter(t0: float, t1: float) -> list[ChatLine]:
    return [ChatLine(float(t), f"u{t % 7}", "what rank is he") for t in range(int(t0), int(t1), 3)]


def test_two_distinct_viewers_within_20_seconds_make_a_request() -> None:
    lines = [ChatLine(100.0, "ann", "!clip"), ChatLine(112.0, "bob", "!CLIP that now")]
    (req,) = clip_requests(lines)
    assert (req.first, req.granted, req.users) == (100.0, 112.0, ("ann", "bob"))


def test_one_viewers_spam_counts_once() -> None:
    lines = [ChatLine(100.0 + i, "ann", "!clip") for i in range(10)]
    assert clip_requests(lines) == []
    assert len(clip_requests(lines, viewers=1)) == 1  # the per-user setting: one is enough


def test_requests_further_apart_than_the_window_do_not_add_up() -> None:
    assert clip_requests([ChatLine(100.0, "ann", "!clip"), ChatLine(121.0, "bob", "!clip")]) == []


def test_a_moderator_or_the_broadcaster_alone_is_enough() -> None:
    (req,) = clip_requests([ChatLine(50.0, "mod", "!clip", ("moderator",))])
    assert req.users == ("mod",)
    assert len(clip_requests([ChatLine(50.0, "me", "!clip", ("broadcaster",))])) == 1
    assert clip_requests([ChatLine(50.0, "sub", "!clip", ("subscriber",))]) == []


def test_late_agreement_makes_no_second_request() -> None:
    lines = [ChatLine(t, u, "!clip") for t, u in [(10, "a"), (11, "b"), (15, "c"), (25, "d")]]
    assert [r.granted for r in clip_requests(lines)] == [11.0]
    # After the quiet period a new pair is a new request.
    lines += [ChatLine(40.0, "e", "!clip"), ChatLine(41.0, "f", "!clip")]
    assert [r.granted for r in clip_requests(lines)] == [11.0, 41.0]


def test_command_is_the_first_word_and_configurable() -> None:
    assert is_command("!clip", "!clip") and is_command("!Clip pls", "!clip")
    assert not is_command("!clipboard", "!clip") and not is_command("please !clip", "!clip")
    lines = [ChatLine(1.0, "a", "!highlight"), ChatLine(2.0, "b", "!highlight")]
    assert clip_requests(lines) == []
    assert len(clip_requests(lines, command="!highlight")) == 1
    assert clip_requests(lines, command="") == []  # turned off


def test_a_request_makes_a_clip_of_what_came_before_it_with_a_reason() -> None:
    chat = [*_chatter(0, 300), ChatLine(200.0, "ann", "!clip"), ChatLine(204.0, "bob", "!clip")]
    sig = WindowSignals(t0=0.0, t1=300.0, loudness=np.full(300, -30.0), chat=chat)
    tl = score_timeline(sig)
    (plan,) = plan_clips(tl, [], available_until=300.0, final=True)
    assert plan.reason.startswith("2 viewers typed !clip")
    assert plan.title.startswith("Viewers clipped this at ")
    # Viewers ask after they saw it: the clip starts well before the first request.
    assert plan.start <= 200.0 - 20 and plan.end >= 204.0
    off = score_timeline(
        WindowSignals(t0=0.0, t1=300.0, loudness=np.full(300, -30.0), chat=chat, clip_command="")
    )
    assert plan_clips(off, [], available_until=300.0, final=True) == []
