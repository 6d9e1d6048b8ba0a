"""The OpenAI-compatible engine against a local server speaking the transcription protocol."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI, Form, Header, HTTPException, UploadFile

from clippy.transcribe.base import TranscriberError
from clippy.transcribe.openai_engine import OpenAITranscriber
from tests.fixtures.server import free_port


@dataclass
class FakeAPI:
    """Records requests; ``fail`` lists status codes to answer before succeeding."""

    fail: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


def make_app(state: FakeAPI) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(
        file: UploadFile,
        model: str = Form(...),
        response_format: str = Form("json"),
        prompt: str = Form(""),
        granularities: list[str] = Form([], alias="timestamp_granularities[]"),
        authorization: str = Header(""),
    ) -> dict[str, Any]:
        body = await file.read()
        state.requests.append(
            {
                "model": model,
                "format": response_format,
                "prompt": prompt,
                "granularities": granularities,
                "auth": authorization,
                "wav": body[:4] == b"RIFF",
                "size": len(body),
            }
        )
        if authorization != "Bearer good-key":
            raise HTTPException(401, "Invalid API Key")
        if state.fail:
            raise HTTPException(state.fail.pop(0), "try again")
        return {
            "task": "transcribe",
            "language": "english",
            "duration": 2.0,
            "text": "no way",
            "segments": [
                {"id": 0, "start": 0.0, "end": 2.0, "text": " no way", "avg_logprob": -0.1}
            ],
            "words": [
                {"word": "no", "start": 0.5, "end": 0.8},
                {"word": "way", "start": 0.8, "end": 1.3},
            ],
        }

    return app


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[str, FakeAPI]]:
    state = FakeAPI()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}/v1", state
    server.should_exit = True
    thread.join(5)


def test_words_in_stream_time_with_prompt(api: tuple[str, FakeAPI]) -> None:
    url, state = api
    state.requests.clear()
    engine = OpenAITranscriber("good-key", url, "whisper-large-v3-turbo", backoff=0.01)
    chunk = engine.transcribe(
        np.zeros(32000, np.float32), start_time=60.0, chunk_id="c", prompt="earlier words"
    )
    assert [(w.text, w.start, w.end) for w in chunk.words] == [
        ("no", 60.5, 60.8),
        ("way", 60.8, 61.3),
    ]
    assert 0.85 < chunk.words[0].confidence <= 1.0  # exp(-0.1)
    req = state.requests[-1]
    assert req["model"] == "whisper-large-v3-turbo" and req["format"] == "verbose_json"
    assert req["prompt"] == "earlier words" and req["wav"] and "word" in req["granularities"]


def test_retries_server_errors_then_succeeds(api: tuple[str, FakeAPI]) -> None:
    url, state = api
    state.fail = [500, 429]
    state.requests.clear()
    engine = OpenAITranscriber("good-key", url, "m", backoff=0.01)
    chunk = engine.transcribe(np.zeros(16000, np.float32), start_time=0, chunk_id="c")
    assert chunk.text == "no way" and len(state.requests) == 3


def test_gives_up_after_bounded_retries(api: tuple[str, FakeAPI]) -> None:
    url, state = api
    state.fail = [503] * 10
    engine = OpenAITranscriber("good-key", url, "m", backoff=0.01, max_attempts=3)
    with pytest.raises(TranscriberError, match="gave up after 3 attempts"):
        engine.transcribe(np.zeros(16000, np.float32), start_time=0, chunk_id="c")
    state.fail = []


def test_wrong_key_is_a_clear_error(api: tuple[str, FakeAPI]) -> None:
    url, _ = api
    engine = OpenAITranscriber("bad-key", url, "m", backoff=0.01)
    with pytest.raises(TranscriberError, match="refused the key"):
        engine.transcribe(np.zeros(16000, np.float32), start_time=0, chunk_id="c")


def test_missing_key_and_unreachable_server() -> None:
    with pytest.raises(TranscriberError, match="CLIPPY_OPENAI_API_KEY"):
        OpenAITranscriber("", "http://127.0.0.1:9/v1", "m")
    engine = OpenAITranscriber(
        "k", f"http://127.0.0.1:{free_port()}/v1", "m", backoff=0.01, max_attempts=2
    )
    with pytest.raises(TranscriberError, match="cannot reach"):
        engine.transcribe(np.zeros(1600, np.float32), start_time=0, chunk_id="c")
