"""A local HTTP server speaking OpenAI's chat completions protocol (stands in for Groq/OpenAI).

``POST /v1/chat/completions`` with a Bearer key answers a ``chat.completion`` object whose
message content is ``FakeLlm.reply``; ``status`` other than 200 answers OpenAI's error
envelope, and ``delay`` holds the answer back (to provoke client timeouts).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # keep test output quiet
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._reply(401, {"error": {"message": "Invalid API Key", "type": "auth"}})
                return
            if self.path != "/v1/chat/completions":
                self._reply(404, {"error": {"message": f"Unknown request URL: {self.path}"}})
                return
            state.requests.append(body)
            if state.delay:
                time.sleep(state.delay)
            if state.status != 200:
                self._reply(
                    state.status, {"error": {"message": "model overloaded", "type": "server"}}
                )
                return
            self._reply(
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
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True  # a request held back by `delay` must not block close
    state = FakeLlm(base_url=f"http://127.0.0.1:{server.server_address[1]}/v1")
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
