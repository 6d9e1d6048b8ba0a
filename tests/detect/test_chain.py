"""The whole pure chain on a synthetic 3-minute stream: audio → features → score → clips.

Run once over the whole recording (offline mode) and window by window as the live pipeline
does (a 10 s segment at a time, the last 150 s scored with 60 s of history), both must find
exactly the three planted moments, once each.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pytest

from clippy.detect import (
    ClipPlan,
    SegmentFeatures,
    WindowSignals,
    phrase_list,
    plan_clips,
    score_timeline,
    segment_features,
)
from tests.detect.synthetic import SR, Stream, planted_stream

SEGMENT = 10
WINDOW = 150.0
HISTORY = 60


@lru_cache(maxsize=1)
def _stream_and_features() -> tuple[Stream, list[SegmentFeatures]]:
    stream = planted_stream()
    count = int(stream.duration) // SEGMENT
    feats = [
        segment_features(
            stream.audio[i * SEGMENT * SR : (i + 1) * SEGMENT * SR], SR, i * SEGMENT * 1.0
        )
        for i in range(count)
    ]
    return stream, feats


def _series(feats: list[SegmentFeatures], key: str, a: float, b: float) -> np.ndarray:
    values: list[float] = []
    for f in feats:
        values += f[key]  # type: ignore[literal-required]
    return np.asarray(values[int(a) : int(b)], dtype=float)


def _detect(t1: float, *, final: bool, existing: list[tuple[float, float]]) -> list[ClipPlan]:
    """One detection call as the pipeline makes it after the segment ending at ``t1``."""
    stream, feats = _stream_and_features()
    t0 = max(0.0, t1 - WINDOW)
    history = int(min(HISTORY, t0))
    a = t0 - history
    words = [w for w in stream.words if w["start"] >= a and w["end"] <= t1]
    signals = WindowSignals(
        t0=t0,
        t1=t1,
        loudness=_series(feats, "loudness", a, t1),
        history=history,
        centroid=_series(feats, "centroid", a, t1),
        pitch=_series(feats, "pitch", a, t1),
        laughter=_series(feats, "laughter", a, t1),
        words=words,
        chat_times=[c for c in stream.chat if a <= c < t1],
        phrases=phrase_list(),
    )
    timeline = score_timeline(signals)
    return plan_clips(
        timeline, words, existing=existing, available_from=a, available_until=t1, final=final
    )


def _assert_planted_moments(plans: list[ClipPlan], stream: Stream) -> None:
    assert len(plans) == 3
    by_time = sorted(plans, key=lambda p: p.start)
    for plan, (name, t) in zip(
        by_time, sorted(stream.moments.items(), key=lambda kv: kv[1]), strict=True
    ):
        assert plan.start + 5 <= t <= plan.end - 3, (name, plan)
        assert 15.0 <= plan.end - plan.start <= 60.0
    shout, chat, swing = by_time
    assert shout.reason == "loudness +16 dB, shouting, 'oh my god', 'no way'"
    assert shout.title == "Oh my god no way"
    assert chat.reason.startswith("chat ×")  # noqa: RUF001
    assert swing.reason.startswith("sentiment swing +1.")
    assert swing.title == "Wait yes we won this is amazing i love it"


def test_offline_pass_finds_the_three_planted_moments() -> None:
    stream, _ = _stream_and_features()
    plans = _detect(stream.duration, final=True, existing=[])
    _assert_planted_moments(plans, stream)
    assert plans[0].reason.startswith("loudness")  # the strongest moment ranks first


def test_live_windows_find_the_same_clips_once_each_and_soon() -> None:
    stream, _ = _stream_and_features()
    made: list[tuple[float, ClipPlan]] = []
    for t1 in range(SEGMENT, int(stream.duration) + 1, SEGMENT):
        existing = [(p.start, p.end) for _, p in made]
        made += [
            (t1, p) for p in _detect(float(t1), final=t1 == stream.duration, existing=existing)
        ]
    live = [p for _, p in made]
    _assert_planted_moments(live, stream)
    offline = _detect(stream.duration, final=True, existing=[])
    assert sorted(live, key=lambda p: p.start) == sorted(offline, key=lambda p: p.start)
    for when, plan in made:
        # Planned with the first segment that holds its payoff: at most two segments late
        # (a moment chat found: once the 30 s of its reaction are in, PlanConfig.chat_settle).
        settle = 30.0 if plan.reason.startswith("chat") else 0.0
        assert when - plan.peak <= 2 * SEGMENT + settle


@pytest.mark.parametrize("seed", [1, 2])
def test_calm_stream_makes_no_clips(seed: int) -> None:
    from tests.detect.synthetic import CALM, voice, words_of

    rng = np.random.default_rng(seed)
    audio = np.concatenate([voice(1.0, 140, -26 + rng.uniform(-2, 2), seed=i) for i in range(120)])
    words: list[dict[str, Any]] = []
    t = 1.0
    while t < 115:
        words += words_of(CALM[int(rng.integers(len(CALM)))], t)
        t = words[-1]["end"] + 1.0
    chat = sorted(rng.uniform(0, 120, 60))
    feats = segment_features(audio, SR, 0.0)
    signals = WindowSignals(
        t0=0.0,
        t1=120.0,
        loudness=np.asarray(feats["loudness"]),
        centroid=np.asarray(feats["centroid"]),
        pitch=np.asarray(feats["pitch"]),
        laughter=np.asarray(feats["laughter"]),
        words=words,
        chat_times=list(chat),
        phrases=phrase_list(),
    )
    timeline = score_timeline(signals)
    assert timeline.score.max() < 0.5
    assert plan_clips(timeline, words, available_until=120.0, final=True) == []
