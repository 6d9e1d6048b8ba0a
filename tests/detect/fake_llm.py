"""A local HTTP server speaking OpenAI's chat completions protocol (stands in for Groq/OpenAI).

``POST /v1/chat/completions`` with a Bearer key answers a ``chat.completion`` object whose
message content is ``FakeLlm.reply``; ``status`` other than 200 answers OpenAI's error
envelope, and ``delay`` holds the answer back (to provoke client timeouts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fixtures.http import QuietHandler, serving

API_KEY = "gsk_test_clippy"


@dataclass
class FakeLlm:
    """The running server's base URL, what it answers, and the requests it received."""

    base_url: str
    reply: str = '{"keep": true, "score": 0.9, "title": "A great moment"}'
    status: int = 200
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def system_prompts(self) -> list[str]:
        """The system message of each request received."""
        return [m["content"] for r in self.requests for m in r["messages"] if m["role"] == "system"]


def _handler(state: FakeLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self.reply_json(401, {"error": {"message": "Invalid API Key", "type": "auth"}})
                return
            if self.path != "/v1/chat/completions":
                self.reply_json(404, {"error": {"message": f"Unknown request URL: {self.path}"}})
                return
            state.requests.append(body)
            if state.delay:
                time.sleep(state.delay)
            if state.status != 200:
                self.reply_json(
                    state.status, {"error": {"message": "model overloaded", "type": "server"}}
                )
                return
            self.reply_json(
                200,
                {
                    "id": f"chatcmpl-{len(state.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", ""),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": state.reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                },
            )

    return Handler


@contextmanager
def fake_llm() -> Iterator[FakeLlm]:
    """Run the server on a free loopback port for the duration of the block."""
    state = FakeLlm(base_url="")
    with serving(_handler(state)) as url:
        state.base_url = f"{url}/v1"
        yield state
