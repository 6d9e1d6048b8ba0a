"""Any OpenAI-compatible transcription API (Groq whisper-large-v3-turbo, OpenAI whisper-1),
through the official ``openai`` client (``clippy.openai_api``), as the LLM judge."""

from __future__ import annotations

import io
import math
import time
import wave
from typing import Any

import numpy as np
import openai

from clippy.openai_api import make_client
from clippy.transcribe.base import (
    SAMPLE_RATE,
    TranscriberError,
    TranscriptChunk,
    Word,
    to_pcm16,
)
from clippy.transcribe.languages import AUTO, LANGUAGES

_RETRY_STATUS = {429, 500, 502, 503, 504}


def wav_bytes(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16-bit mono WAV of ``audio`` in memory."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_pcm16(audio))
    return buf.getvalue()


class OpenAITranscriber:
    """Sends each window to ``{base_url}/audio/transcriptions`` and reads word timestamps."""

    name = "openai"

    def __init__(
        self,
        api_key: str,
        base_url: str,
        model: str,
        *,
        timeout: float = 60.0,
        max_attempts: int = 4,
        backoff: float = 0.5,
    ) -> None:
        if not api_key:
            raise TranscriberError(
                "CLIPPY_TRANSCRIBER=openai needs CLIPPY_OPENAI_API_KEY (a Groq or OpenAI key)"
            )
        self._client = make_client(base_url, api_key, timeout)
        self.model = model
        self.max_attempts = max_attempts
        self.backoff = backoff

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        start_time: float,
        chunk_id: str,
        prompt: str = "",
        language: str | None = None,
    ) -> TranscriptChunk:
        code = (language or "").strip().lower()
        body = self._post(prompt[-800:], wav_bytes(audio), "" if code == AUTO else code)
        return TranscriptChunk(
            chunk_id,
            start_time,
            parse_verbose_json(body, start_time),
            language=_language_code(body.get("language")),
        )

    def _post(self, prompt: str, wav: bytes, language: str = "") -> dict[str, Any]:
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                reply = self._client.audio.transcriptions.create(
                    model=self.model,
                    file=("audio.wav", wav, "audio/wav"),
                    response_format="verbose_json",
                    timestamp_granularities=["word", "segment"],
                    prompt=prompt or openai.omit,
                    language=language or openai.omit,
                )
                result: dict[str, Any] = reply.model_dump()
                return result
            except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
                raise TranscriberError(
                    f"the transcription API refused the key ({exc.status_code}); check "
                    "CLIPPY_OPENAI_API_KEY"
                ) from None
            except openai.APIConnectionError as exc:  # includes timeouts
                last = f"cannot reach the transcription API: {exc}"
            except openai.APIStatusError as exc:
                last = f"transcription API answered {exc.status_code}: {str(exc.message)[:200]}"
                if exc.status_code not in _RETRY_STATUS:
                    raise TranscriberError(last) from None
            if attempt < self.max_attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise TranscriberError(f"{last} (gave up after {self.max_attempts} attempts)")


def _language_code(value: Any) -> str:
    """The API names the detected language ("german"); the code ("de"), "" when unknown."""
    if not isinstance(value, str):
        return ""
    v = value.strip().lower()
    if v in LANGUAGES:
        return v
    return next((c for c, name in LANGUAGES.items() if name.lower() == v), "")


def parse_verbose_json(body: dict[str, Any], start_time: float) -> list[Word]:
    """Words from a ``verbose_json`` response, shifted to stream time.

    Confidence is exp(avg_logprob) of the segment a word falls in (the API gives no per-word
    probability); words fall back to evenly spread segment text when the API sent no words.
    """
    segments = body.get("segments") or []

    def seg_conf(t: float) -> float:
        for s in segments:
            if s.get("start", 0) <= t <= s.get("end", 0) and "avg_logprob" in s:
                return max(0.0, min(1.0, math.exp(float(s["avg_logprob"]))))
        return 1.0

    words = body.get("words") or []
    if words:
        return [
            Word(
                str(w["word"]).strip(),
                start_time + float(w["start"]),
                start_time + float(w["end"]),
                seg_conf(float(w["start"])),
            )
            for w in words
            if str(w.get("word", "")).strip()
        ]
    out: list[Word] = []
    for s in segments:
        tokens = str(s.get("text", "")).split()
        if not tokens:
            continue
        s0, s1 = float(s["start"]), float(s["end"])
        step = (s1 - s0) / len(tokens)
        conf = seg_conf(s0)
        out += [
            Word(t, start_time + s0 + i * step, start_time + s0 + (i + 1) * step, conf)
            for i, t in enumerate(tokens)
        ]
    return out
