"""The transcription interface and its data: words with stream-time timestamps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from clippy.errors import Unavailable

SAMPLE_RATE = 16_000


class TranscriberError(Unavailable, RuntimeError):
    """Recognition failed; the message says what to do."""


class ModelMissing(TranscriberError):
    """The engine's model is not installed where the settings point."""


@dataclass(frozen=True)
class Word:
    """One recognised word; times are stream-time seconds."""

    text: str
    start: float
    end: float
    confidence: float = 1.0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Word:
        """A word as ``to_json`` (and the transcript store) writes it."""
        return cls(
            str(data["text"]),
            float(data["start"]),
            float(data["end"]),
            float(data.get("confidence", 1.0)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "confidence": round(self.confidence, 3),
        }


@dataclass
class TranscriptChunk:
    """The words of one recognised window."""

    chunk_id: str
    start_time: float
    words: list[Word] = field(default_factory=list)
    language: str = ""  # ISO code when the engine knows it ("en"), else empty

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape: chunk_id, start_time, transcript: [{text, start, end, confidence}]."""
        return {
            "chunk_id": self.chunk_id,
            "start_time": self.start_time,
            "transcript": [w.to_json() for w in self.words],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TranscriptChunk:
        """The inverse of ``to_json``."""
        return cls(
            chunk_id=str(data["chunk_id"]),
            start_time=float(data["start_time"]),
            words=[Word.from_json(w) for w in data.get("transcript", [])],
        )


class Transcriber(Protocol):
    """A speech recogniser: 16 kHz mono float32 audio in, timed words out."""

    name: str

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        start_time: float,
        chunk_id: str,
        prompt: str = "",
        language: str | None = None,
    ) -> TranscriptChunk:
        """Recognise ``audio`` whose first sample is at stream time ``start_time``.

        ``prompt`` is the text just before this window (rolling context) for engines that
        can use it. ``language`` is this call's language (a Whisper code, or ``"auto"`` to
        detect it); ``None`` keeps the engine's configured one. An engine that cannot
        recognise the language raises ``TranscriberError`` rather than guess.
        """
        ...


@runtime_checkable
class BatchTranscriber(Transcriber, Protocol):
    """A recogniser that can also take a whole recording at once and batch its speech."""

    def transcribe_batched(
        self, audio: np.ndarray, *, start_time: float, language: str | None = None
    ) -> TranscriptChunk:
        """All words of ``audio`` (first sample at ``start_time``): only its speech is
        recognised, packed into pieces that are decoded several at a time. ``language`` as
        in ``transcribe``."""
        ...


def to_pcm16(audio: np.ndarray) -> bytes:
    """Float samples in [-1, 1] as little-endian signed 16-bit PCM bytes."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


class NoTranscriber:
    """Recognises nothing (``CLIPPY_TRANSCRIBER=none``): detection runs on audio and chat."""

    name = "none"

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        start_time: float,
        chunk_id: str,
        prompt: str = "",
        language: str | None = None,
    ) -> TranscriptChunk:
        return TranscriptChunk(chunk_id, start_time, [])
