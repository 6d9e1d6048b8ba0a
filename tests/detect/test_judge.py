"""The LLM judge: prompt building, reply parsing, applying a verdict, and the HTTP call
against a local server speaking OpenAI's chat completions protocol (real socket)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from clippy.config import Settings
from clippy.detect.judge import (
    STREAMER_HEADER,
    Candidate,
    JudgeReplyError,
    LlmJudge,
    Verdict,
    apply_verdict,
    build_messages,
    candidate_for,
    judge_configured,
    make_judge,
    parse_verdict,
)
from clippy.detect.plan import ClipPlan
from tests.detect.fake_llm import API_KEY, FakeLlm, fake_llm
from tests.detect.synthetic import words_of

PLAN = ClipPlan(
    start=10.0,
    end=30.0,
    peak=20.5,
    score=1.6,
    reason="loudness +14 dB, 'no way'",
    title="No way",
    signals={"moment": [19.0, 22.0]},
)
CANDIDATE = Candidate(10.0, 30.0, 1.6, "loudness +14 dB, 'no way'", "no way he hit that shot")


def test_candidate_text_is_what_was_said_inside_the_clip() -> None:
    words = words_of("before", 5.0) + words_of("no way he hit that", 12.0) + words_of("after", 31)
    cand = candidate_for(PLAN, words)
    assert cand.text == "no way he hit that"
    assert (cand.start, cand.end, cand.score, cand.reason) == (10.0, 30.0, 1.6, PLAN.reason)


def test_messages_carry_the_moment_and_the_streamers_prompt() -> None:
    plain = build_messages(CANDIDATE)
    assert [m["role"] for m in plain] == ["system", "user"]
    assert STREAMER_HEADER not in plain[0]["content"]
    assert "Detector reason: loudness +14 dB, 'no way'" in plain[1]["content"]
    assert "Signal score: 1.60" in plain[1]["content"]
    assert "no way he hit that shot" in plain[1]["content"]
    custom = build_messages(CANDIDATE, "  Clip every boss kill, never the menus.\n")
    assert custom[0]["content"].endswith(
        f"{STREAMER_HEADER}\nClip every boss kill, never the menus."
    )
    silent = build_messages(Candidate(0, 15, 1.0, "chat ×8", "  "))  # noqa: RUF001
    assert "(no speech recognised)" in silent[1]["content"]
    long = build_messages(Candidate(0, 15, 1.0, "x", "word " * 2000))
    assert len(long[1]["content"]) < 3300


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ('{"keep": true, "score": 0.8, "title": "Huge clutch"}', Verdict(True, 0.8, "Huge clutch")),
        (
            '```json\n{"keep": false, "score": 0.1, "title": "meh"}\n```',
            Verdict(False, 0.1, "meh"),
        ),
        (
            'Sure! Here is my verdict: {"keep": "yes", "score": "7", "title": "Title: \\"Wow\\""}',
            Verdict(True, 0.7, "Wow"),
        ),
        ('{"decision": "drop", "score": 85}', Verdict(False, 0.85, "")),
        ('{"keep": "KEEP", "score": "high", "title": 5}', Verdict(True, None, "")),
        (
            '{"keep": true, "score": -2, "title": "  spaced   out  "}',
            Verdict(True, None, "spaced out"),
        ),
    ],
)
def test_replies_are_read_robustly(reply: str, verdict: Verdict) -> None:
    assert parse_verdict(reply) == verdict


def test_long_titles_are_shortened() -> None:
    title = parse_verdict('{"keep": true, "title": "' + "word " * 30 + '"}').title
    assert len(title) <= 60 and title.endswith("…")


@pytest.mark.parametrize(
    "reply",
    ["I think this is a keeper!", '{"keep": maybe}', "[1, 2]", '{"score": 0.9}', ""],
)
def test_unreadable_replies_are_errors(reply: str) -> None:
    with pytest.raises(JudgeReplyError):
        parse_verdict(reply)


def test_applying_verdicts() -> None:
    assert apply_verdict(PLAN, Verdict(False, 0.9, "x")) is None
    kept = apply_verdict(PLAN, Verdict(True, 1.0, "He actually hit it"))
    assert kept is not None
    assert kept.title == "He actually hit it" and kept.score == pytest.approx(1.6 * 1.5)
    assert kept.signals["llm"] == {"status": "kept", "score": 1.0, "title": "He actually hit it"}
    assert kept.signals["moment"] == [19.0, 22.0] and (kept.start, kept.end) == (10.0, 30.0)
    untitled = apply_verdict(PLAN, Verdict(True, None, ""))
    assert untitled is not None and untitled.title == "No way" and untitled.score == 1.6
    down = apply_verdict(PLAN, None)  # judge unavailable: the plan as it was
    assert down is not None and (down.title, down.score) == ("No way", 1.6)
    assert down.signals["llm"] == {"status": "unavailable"}


def test_configured_only_with_a_key_or_a_local_server() -> None:
    assert not judge_configured(Settings())
    assert make_judge(Settings()) is None
    assert judge_configured(Settings(llm_api_key="gsk_x"))
    for url in ("http://127.0.0.1:8080/v1", "http://localhost:11434/v1", "http://[::1]:1/v1"):
        assert judge_configured(Settings(llm_base_url=url)), url
    assert not judge_configured(Settings(llm_base_url="https://api.openai.com/v1"))


@pytest.fixture
def llm() -> Iterator[FakeLlm]:
    with fake_llm() as server:
        yield server


def _judge(llm: FakeLlm, timeout: float = 5.0) -> LlmJudge:
    judge = make_judge(
        Settings(
            llm_api_key=API_KEY,
            llm_base_url=llm.base_url,
            llm_model="test-model",
            llm_timeout_seconds=timeout,
        )
    )
    assert judge is not None
    return judge


def test_the_prompt_reaches_the_server_and_the_verdict_comes_back(llm: FakeLlm) -> None:
    llm.reply = '{"keep": true, "score": 0.9, "title": "He hit the shot"}'
    verdict = _judge(llm).ask(CANDIDATE, "Clip every boss kill.")
    assert verdict == Verdict(True, 0.9, "He hit the shot")
    (request,) = llm.requests
    assert request["model"] == "test-model" and request["temperature"] == 0
    assert llm.system_prompts()[0].endswith(f"{STREAMER_HEADER}\nClip every boss kill.")
    assert "no way he hit that shot" in request["messages"][1]["content"]


def test_a_candidate_is_asked_about_once_per_key(llm: FakeLlm) -> None:
    llm.reply = '{"keep": false, "score": 0.2, "title": "x"}'
    judge = _judge(llm)
    assert judge.ask(CANDIDATE, "", key="7:20.5") == Verdict(False, 0.2, "x")
    assert judge.ask(CANDIDATE, "", key="7:20.5") == Verdict(False, 0.2, "x")
    assert len(llm.requests) == 1
    judge.ask(CANDIDATE, "a new prompt", key="7:20.5")  # the streamer changed their prompt
    assert len(llm.requests) == 2


@pytest.mark.parametrize("status", [500, 429, 401])
def test_http_errors_give_no_verdict(llm: FakeLlm, status: int) -> None:
    llm.status = status
    judge = _judge(llm)
    assert judge.ask(CANDIDATE, key="k") is None
    llm.status = 200  # failures are not remembered: the next attempt asks again
    assert judge.ask(CANDIDATE, key="k") is not None


def test_a_slow_server_times_out_into_no_verdict(llm: FakeLlm) -> None:
    llm.delay = 3.0
    started = time.monotonic()
    assert _judge(llm, timeout=0.5).ask(CANDIDATE) is None
    assert time.monotonic() - started < 2.5


def test_a_reply_that_is_not_json_gives_no_verdict(llm: FakeLlm) -> None:
    llm.reply = "Definitely keep this one, it's great!"
    assert _judge(llm).ask(CANDIDATE) is None


def test_nothing_listening_gives_no_verdict() -> None:
    with fake_llm() as gone:
        url = gone.base_url
    judge = make_judge(Settings(llm_base_url=url, llm_timeout_seconds=2.0))
    assert judge is not None  # a loopback URL needs no key
    assert judge.ask(CANDIDATE) is None
