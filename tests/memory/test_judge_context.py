"""The LLM judge with context: the retrieved earlier passage reaches the model (a local
server speaking OpenAI's protocol), and the context model named for it is the one asked."""

from __future__ import annotations

from clippy.config import Settings
from clippy.detect.judge import CONTEXT_HEADER, Candidate, build_messages, make_judge
from tests.detect.fake_llm import API_KEY, fake_llm

CANDIDATE = Candidate(30.0, 45.0, 1.6, "callback to 'fell off the bridge' 20 h ago",
                      "remember yesterday when i fell off the bridge")  # fmt: skip
EARLIER = "oh no i just fell off the bridge"


def test_the_earlier_passage_is_part_of_the_question_only_when_given() -> None:
    plain = build_messages(CANDIDATE)[1]["content"]
    assert CONTEXT_HEADER not in plain
    asked = build_messages(CANDIDATE, context=[EARLIER])[1]["content"]
    assert CONTEXT_HEADER in asked and EARLIER in asked


def test_callbacks_go_to_the_context_model_and_its_verdict_counts() -> None:
    with fake_llm() as llm:
        settings = Settings(
            llm_api_key=API_KEY, llm_base_url=llm.base_url, llm_model="small",
            llm_context_model="big", llm_timeout_seconds=5.0,
        )  # fmt: skip
        judge = make_judge(settings)
        assert judge is not None
        llm.reply = '{"keep": false, "score": 0.1, "title": "Not a real callback"}'
        verdict = judge.ask(CANDIDATE, key="1:memory:30.0", context=[EARLIER])
        assert verdict is not None and not verdict.keep
        assert llm.requests[-1]["model"] == "big"
        assert EARLIER in llm.requests[-1]["messages"][1]["content"]
        llm.reply = '{"keep": true, "score": 0.8, "title": "A moment"}'
        assert judge.ask(CANDIDATE, key="1:30.0") is not None
        assert llm.requests[-1]["model"] == "small"  # no context: the usual model
