"""Clip planning from a scored timeline: shape, boundaries, merging, de-duplication, waiting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from clippy.detect.plan import TITLE_CHARS, PlanConfig, moment_start, plan_clips
from clippy.detect.score import Timeline
from tests.detect.synthetic import words_of


def _timeline(
    n: int, peaks: dict[int, float], reasons: dict[int, dict[str, Any]] | None = None
) -> Timeline:
    score = np.zeros(n)
    for i, v in peaks.items():
        score[i] = v
    rs: list[dict[str, Any]] = [{} for _ in range(n)]
    for i, r in (reasons or {}).items():
        rs[i] = r
    return Timeline(0.0, score, rs)


LOUD = {"loudness": 14.0}


def _story() -> list[dict[str, Any]]:
    """Setup sentence 40.0-42.75, the moment 49.0-50.7, the payoff 53.0-55.05."""
    return (
        words_of("so here is the setup for what comes next", 40.0)[:8]
        + words_of("and then the big moment", 49.0)
        + words_of("wow that was great to see", 53.0)
    )


def test_clip_starts_at_the_setup_sentence_and_ends_after_the_payoff_sentence() -> None:
    tl = _timeline(100, {50: 2.0}, {50: LOUD})
    [plan] = plan_clips(tl, _story(), available_until=100.0, final=False)
    # 8 s before the moment (42.0) falls in the setup sentence: start where it starts.
    assert plan.start == 39.75
    # 3 s after the moment (54.0) falls in the payoff sentence: end where it ends.
    assert plan.end == 55.3
    assert plan.peak == 50.5
    assert plan.reason == "loudness +14 dB"


def test_payoff_sentence_still_running_waits_then_is_clipped_whole() -> None:
    tl = _timeline(100, {50: 2.0}, {50: LOUD})
    # At 54.2 s the payoff sentence (to 55.05) may still be going on: wait.
    assert plan_clips(tl, _story(), available_until=54.2, final=False) == []
    [later] = plan_clips(tl, _story(), available_until=60.0, final=False)
    assert later.end == 55.3
    # At the end of the stream nothing more will come: clip what there is.
    [final] = plan_clips(tl, _story(), available_until=54.2, final=True)
    assert final.end == 54.2 and final.peak == 50.5


def test_waiting_for_the_payoff_is_bounded_by_max_wait() -> None:
    tl = _timeline(70, {55: 3.0, 56: 2.0}, {55: LOUD})
    # Peak at 55.5, the moment over at 57, its payoff (to 60) not yet all recorded at 59.6;
    # the peak is already 4.1 s old (≥ max_wait 4): clip now with what there is.
    [plan] = plan_clips(tl, [], available_until=59.6, final=False)
    assert plan.peak == 55.5 and plan.end == 59.6
    assert plan.end - plan.start == 15.0
    assert plan_clips(tl, [], available_until=59.6, final=False, cfg=PlanConfig(max_wait=10)) == []


def test_a_moment_still_going_on_waits_for_its_end() -> None:
    """A shout that runs to the end of the recording is not over: clipping it then would cut
    it off mid-sentence. It waits for the next segment however old its peak, and is clipped
    whole once it has ended (glass-to-clip counts from its end)."""
    loud_run = {55: 3.0, **{i: 2.0 for i in range(56, 64)}}
    tl = _timeline(80, loud_run, {55: LOUD})
    assert plan_clips(tl, [], available_until=60.0, final=False) == []
    [plan] = plan_clips(tl, [], available_until=70.0, final=False)
    assert plan.peak == 55.5 and plan.end >= 64 + 3
    # One that goes on for longer than a clip can hold is clipped without waiting for its end.
    endless = _timeline(200, {**{i: 2.0 for i in range(20, 200)}, 30: 3.0})
    [cut] = plan_clips(endless, [], available_until=80.0, final=False)
    assert cut.peak == 30.5 and cut.end <= 80.0


def test_short_moment_grows_to_min_len_mostly_backwards() -> None:
    [plan] = plan_clips(_timeline(100, {50: 1.5}), [], available_until=100.0, final=True)
    assert plan.end - plan.start == pytest.approx(15.0)
    assert plan.start <= 50.5 - 8 and plan.end >= 50.5 + 3
    [short] = plan_clips(
        _timeline(100, {50: 1.5}), [], available_until=100.0, final=True, cfg=PlanConfig(min_len=25)
    )
    assert short.end - short.start == pytest.approx(25.0)


def test_long_moment_is_cut_to_max_len_around_its_peak() -> None:
    score = {i: 1.5 for i in range(10, 90)}
    score[70] = 3.0
    [plan] = plan_clips(_timeline(120, score), [], available_until=120.0, final=True)
    assert plan.end - plan.start == pytest.approx(60.0)
    assert plan.start + 5 <= plan.peak == 70.5 <= plan.end - 3


def test_below_threshold_makes_no_clip() -> None:
    tl = _timeline(100, {50: 0.99})
    assert plan_clips(tl, [], available_until=100.0, final=True) == []
    assert (
        len(plan_clips(tl, [], available_until=100.0, final=True, cfg=PlanConfig(threshold=0.9)))
        == 1
    )


def test_nearby_seconds_over_threshold_are_one_moment() -> None:
    tl = _timeline(100, {50: 1.5, 52: 2.5, 54: 1.2})
    [plan] = plan_clips(tl, [], available_until=100.0, final=True)
    assert plan.peak == 52.5
    assert plan.signals["moment"] == [50.0, 55.0]


def test_overlapping_clips_merge_into_one() -> None:
    tl = _timeline(100, {30: 2.0, 42: 1.5}, {30: LOUD, 42: {"phrases": ["no way"]}})
    [plan] = plan_clips(tl, [], available_until=100.0, final=True)
    assert plan.start <= 30.5 - 8 and plan.end >= 42.5 + 3
    assert plan.peak == 30.5  # the stronger of the two
    assert plan.reason == "loudness +14 dB, 'no way'"


def test_overlapping_clips_too_long_together_are_split_without_overlap() -> None:
    tl = _timeline(100, {30: 2.0, 42: 1.5})
    cfg = PlanConfig(max_len=20)
    plans = sorted(
        plan_clips(tl, [], available_until=100.0, final=True, cfg=cfg), key=lambda p: p.start
    )
    assert [p.peak for p in plans] == [30.5, 42.5]
    assert plans[0].end <= plans[1].start


def test_moment_already_clipped_is_skipped_and_new_clips_never_overlap_old_ones() -> None:
    tl = _timeline(100, {30: 2.0, 42: 1.5})
    [plan] = plan_clips(tl, [], existing=[(20.0, 36.0)], available_until=100.0, final=True)
    assert plan.peak == 42.5
    assert plan.start == 36.0
    assert plan.end - plan.start >= 15.0 - 1e-9
    assert (
        plan_clips(tl, [], existing=[(20.0, 36.0), (36.0, 60.0)], available_until=100.0, final=True)
        == []
    )


def test_plans_are_ranked_by_score() -> None:
    tl = _timeline(200, {30: 1.2, 100: 3.0, 170: 2.0})
    plans = plan_clips(tl, [], available_until=200.0, final=True)
    assert [p.peak for p in plans] == [100.5, 170.5, 30.5]
    assert plans[0].score > plans[1].score > plans[2].score


def test_clips_stay_inside_the_recorded_range() -> None:
    tl = _timeline(100, {3: 2.0})
    [plan] = plan_clips(tl, [], available_from=0.0, available_until=100.0, final=True)
    assert plan.start == 0.0 and plan.end == 15.0


def test_title_is_the_sentence_with_the_key_phrase() -> None:
    words = words_of("ok", 40.0) + words_of("no way he actually hit that shot", 49.0)
    tl = _timeline(100, {50: 2.0}, {50: {"phrases": ["no way"]}})
    [plan] = plan_clips(tl, words, available_until=100.0, final=True)
    assert plan.title == "No way he actually hit that shot"


def test_title_is_short_and_falls_back_to_the_signal() -> None:
    long = "and then um everything everything went wrong at once with all the players in the base"
    words = words_of(long, 48.0, gap=0.2)
    tl = _timeline(100, {50: 2.0}, {50: LOUD})
    [plan] = plan_clips(tl, words, available_until=100.0, final=True)
    # The leading "and", the filler and the stutter go; the cut falls between words.
    assert plan.title == "Then everything went wrong at once with all the players in…"
    assert len(plan.title) <= TITLE_CHARS
    [silent] = plan_clips(tl, [], available_until=100.0, final=True)
    assert silent.title == "Huge reaction at 0:50"


def test_title_keeps_the_phrase_when_the_sentence_is_too_long() -> None:
    said = "we went around the whole map looking for the last player and found him oh my god"
    words = words_of(said, 45.0, gap=0.2)  # 80 chars
    tl = _timeline(100, {47: 2.0}, {47: {"phrases": ["oh my god"]}})
    [plan] = plan_clips(tl, words, available_until=100.0, final=True)
    assert plan.title == "Oh my god"


def test_a_moment_chat_found_gets_a_lead_for_a_slow_reaction() -> None:
    # Chat's points, already moved back by its lag, peak at second 100 over a 25 s spread.
    score = np.zeros(300)
    score[88:113] = np.interp(np.arange(88, 113), [88, 100, 112], [1.0, 1.6, 1.0])
    points = [{"chat": float(v)} if v else {} for v in score]
    tl = Timeline(0.0, score, [{"chat": 4.0} if v else {} for v in score], points)
    cfg = PlanConfig()
    (plan,) = plan_clips(tl, [], available_until=300.0, final=True, cfg=cfg)
    assert plan.peak == 100.5
    # The moment is placed setup before chat's peak; its clip starts chat_lead before that.
    assert moment_start(tl, 100, cfg) == pytest.approx(100.5 - cfg.setup)
    assert plan.start == pytest.approx(100.5 - cfg.setup - cfg.chat_lead)
    assert plan.end == pytest.approx(100.5 + cfg.chat_span + cfg.payoff)
    # A moment heard (not chat's) gets no lead.
    loud = _timeline(300, {100: 2.0}, {100: LOUD})
    loud.points = [{"loudness": float(v)} if v else {} for v in loud.score]
    (heard,) = plan_clips(loud, [], available_until=300.0, final=True, cfg=cfg)
    assert 100.0 - cfg.setup - 2 <= heard.start <= 100.0 - cfg.setup  # (grown to min_len)


def test_the_tail_of_a_clipped_reaction_cut_by_the_window_start_is_no_new_moment() -> None:
    # A later live window (t0 = 420) sees only the last seconds of a chat reaction whose clip
    # (387.5-418.5) the earlier windows made: its remnant over the threshold is not a moment.
    score = np.zeros(150)
    score[0:2] = 1.1
    points = [{"chat": float(v)} if v else {} for v in score]
    tail = Timeline(420.0, score, [{"chat": 4.0} if v else {} for v in score], points)
    kw: dict[str, Any] = {"available_from": 390.0, "available_until": 570.0, "final": False}
    assert plan_clips(tail, [], existing=[(387.5, 418.5)], **kw) == []
    # With no clip next to it the remnant is still planned (windows may have skipped ahead),
    (plan,) = plan_clips(tail, [], existing=[(300.0, 330.0)], **kw)
    assert plan.peak == 420.5
    # and a run that begins inside the window is judged by its peak alone, as before.
    inside = Timeline(400.0, np.roll(score, 21), tail.reasons, points[-21:] + points[:-21])
    (later,) = plan_clips(inside, [], existing=[(387.5, 418.5)], **kw)
    assert later.peak == 421.5 and later.start >= 418.5
