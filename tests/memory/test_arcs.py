"""Story arcs from timed words: setup, attempts, payoff within an hour (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import Clip, Stream, TranscriptSegment, User
from clippy.detect.words import Word
from clippy.memory.arcs import STORY, Arc, arc_plan, arc_sentences, find_arc, payoffs
from clippy.memory.live import LiveWindow, plan_memory_clips
from clippy.memory.resolve import Span

Said = list[tuple[float, str]]  # (stream seconds, a sentence said there)

JUMP: Said = [
    (100.0, "okay lets try this jump over the lava"),
    (120.0, "no i fell in the lava"),
    (200.0, "come on again"),
    (400.0, "attempt number three here we go"),
    (520.0, "the chat says hold the button longer"),
    (940.0, "finally i did it"),
]


def timed(said: Said) -> list[Word]:
    """Each sentence's words 0.4 s apart; sentences far apart (a pause ends each)."""
    return [
        {"text": w, "start": t + i * 0.4, "end": t + i * 0.4 + 0.3}
        for t, text in said
        for i, w in enumerate(text.split())
    ]


def arc_of(said: Said, at: float) -> Arc | None:
    return find_arc(arc_sentences(timed(said)), at)


def test_setup_attempts_and_payoff_make_one_multi_range_clip_naming_the_span() -> None:
    words = timed(JUMP)
    assert [p.start for p in payoffs(words)] == [940.0]
    arc = arc_of(JUMP, 940.0)
    assert arc is not None
    assert arc.setup.start == 100.0 and [a.start for a in arc.attempts] == [120.0, 200.0, 400.0]
    assert arc.count == 3  # three tries counted, and "attempt number three" said
    plan = arc_plan(arc, 7, until=960.0)
    assert plan.kind == STORY and plan.cue_time == 940.0
    assert plan.reason == "3 attempts over 14 min, finally"
    assert plan.title == "Okay lets try this jump over the lava"
    # Setup (its first attempt follows within seconds: one range), the last attempt, payoff.
    assert plan.spans == (
        Span(7, 98.0, 126.0),
        Span(7, 398.0, 406.0),
        Span(7, 938.0, 945.5),
    )
    assert all(a.end <= b.start for a, b in zip(plan.spans, plan.spans[1:], strict=False))


def test_a_said_attempt_number_counts_more_than_the_tries_heard() -> None:
    said: Said = [
        (0.0, "im going to try the speedrun skip"),
        (60.0, "dead again"),
        (300.0, "attempt number 12"),
        (600.0, "yes i made it"),
    ]
    arc = arc_of(said, 600.0)
    assert arc is not None and arc.count == 12
    assert arc_plan(arc, 1, 610.0).reason == "12 attempts over 10 min, finally"


@pytest.mark.parametrize(
    ("said", "at"),
    [
        # A payoff with nothing set up before it.
        ([(0.0, "we walked to the shop"), (50.0, "again the shop"), (90.0, "finally")], 90.0),
        # A goal and a payoff without attempts in between.
        ([(0.0, "lets try the new pizza place"), (900.0, "finally i got it")], 900.0),
        # One attempt only.
        ([(0.0, "lets try this jump"), (30.0, "i fell"), (60.0, "i did it")], 60.0),
        # Setup and attempts more than an hour before the payoff.
        (
            [(0.0, "lets try this jump"), (30.0, "i fell"), (60.0, "again"), (3700.0, "finally")],
            3700.0,
        ),
        # Setup and attempts, but the last sentence is no payoff.
        ([(0.0, "lets try this jump"), (30.0, "i fell"), (60.0, "again"), (90.0, "oh well")], 90.0),
    ],
)
def test_look_alikes_make_no_arc(said: Said, at: float) -> None:
    assert arc_of(said, at) is None


def test_sentence_marks_split_speech_the_recogniser_ran_together() -> None:
    words = [
        {"text": w, "start": i * 0.4, "end": i * 0.4 + 0.4}  # no pause anywhere
        for i, w in enumerate(
            [
                "Okay,",
                "let's",
                "try",
                "this",
                "jump.",
                "No,",
                "I",
                "fell",
                "again.",
                "Again!",
                "Finally!",
            ]
        )
    ]
    assert [s.text for s in arc_sentences(words)] == [
        "Okay, let's try this jump.", "No, I fell again.", "Again!", "Finally!",
    ]  # fmt: skip
    arc = find_arc(arc_sentences(words), payoffs(words)[0].start)
    assert arc is not None and arc.count == 2


def test_finally_in_passing_is_a_payoff_cue_but_not_a_story_alone() -> None:
    said: Said = [(0.0, "i finally understand the rules of this map")]
    assert len(payoffs(timed(said))) == 1  # looked at (one query) …
    assert arc_of(said, 0.0) is None  # … and nothing made


def test_live_detection_clips_the_arc_once_when_the_payoff_is_said(
    session_factory: sessionmaker[Session],
) -> None:
    """Through the live hook: the payoff in the latest window reads the stream's last hour
    back from the transcript store (SQLite and PostgreSQL)."""
    with session_factory() as s:
        user = User(email="arc@x.test", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id="arc")
        s.add(stream)
        s.flush()
        for i, (t, text) in enumerate(JUMP):
            said = timed([(t, text)])
            s.add(
                TranscriptSegment(
                    stream_id=stream.id, chunk_id=f"c{i}", start_time=t, end_time=said[-1]["end"],
                    text=text, words=said,
                )
            )  # fmt: skip
        s.commit()
        window = timed(JUMP[-2:])
        w = LiveWindow(user.id, "pro", stream.id, 900.0, 960.0, window)
        now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        (plan,) = plan_memory_clips(s, w, now=now)
        assert plan.kind == STORY and plan.reason == "3 attempts over 14 min, finally"
        assert [sp.start for sp in plan.spans] == [98.0, 398.0, 938.0]
        # Once clipped, the same payoff makes nothing more.
        clip = Clip(user_id=user.id, stream_id=stream.id, source="auto", status="ready",
                    signals={"memory": {"kind": STORY, "cue_time": plan.cue_time}})  # fmt: skip
        s.add(clip)
        s.commit()
        assert plan_memory_clips(s, w, now=now) == []
        # A window without a payoff reads nothing back.
        quiet = LiveWindow(user.id, "pro", stream.id, 500.0, 560.0, timed(JUMP[4:5]))
        assert plan_memory_clips(s, quiet, now=now) == []
