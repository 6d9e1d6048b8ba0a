"""Ingest protocol v1: message models and the binary segment frame codec (pure, no I/O).

See docs/protocol.md for the normative description.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError

PROTOCOL_VERSION = 1
_HEADER_LEN = struct.Struct(">I")
MAX_HEADER_BYTES = 16 * 1024


class ProtocolError(Exception):
    """A client message that breaks the protocol; ``code`` is sent back in the error event."""

    def __init__(self, code: str, message: str, *, seq: int | None = None, fatal: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.seq = seq
        self.fatal = fatal


class VideoRegion(BaseModel):
    """Where the page's main video sits inside the captured frame, in frame pixels."""

    x: float = Field(ge=0)
    y: float = Field(ge=0)
    width: float = Field(gt=0)
    height: float = Field(gt=0)
    frame_width: float | None = Field(default=None, gt=0)
    frame_height: float | None = Field(default=None, gt=0)


class Hello(BaseModel):
    type: Literal["hello"]
    protocol: int = PROTOCOL_VERSION
    token: str = Field(min_length=1)
    client: str = ""


class Start(BaseModel):
    type: Literal["start"]
    stream_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    title: str = Field(default="", max_length=500)
    page_url: str = Field(default="", max_length=4000)
    platform: str = Field(default="", max_length=40)
    video_region: VideoRegion | None = None
    segment_seconds: float = Field(default=10.0, gt=0, le=120)


class SegmentHeader(BaseModel):
    seq: int = Field(ge=0)
    start: float = Field(ge=0)  # stream-time seconds of the segment's first frame
    duration: float = Field(gt=0, le=600)
    mime: str = Field(default="video/webm", max_length=100)


class ChatLine(BaseModel):
    author: str = Field(default="", max_length=200)
    text: str = Field(min_length=1, max_length=2000)
    time: float = Field(ge=0)
    # Badges the page shows beside the author ("broadcaster", "moderator"), when it shows any.
    badges: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=5)


class Chat(BaseModel):
    type: Literal["chat"]
    lines: list[ChatLine] = Field(min_length=1, max_length=1000)


class ClientWord(BaseModel):
    text: str
    start: float
    end: float
    confidence: float = 1.0


class ClientTranscript(BaseModel):
    type: Literal["transcript"]
    chunk_id: str = Field(min_length=1, max_length=64)
    start_time: float = Field(ge=0)
    transcript: list[ClientWord] = Field(max_length=5000)


class Region(BaseModel):
    type: Literal["region"]
    video_region: VideoRegion


class Simple(BaseModel):
    type: Literal["acked?", "stats", "stop", "ping"]


ClientMessage = Hello | Start | Chat | ClientTranscript | Region | Simple
_MODELS: dict[str, type[BaseModel]] = {
    "hello": Hello,
    "start": Start,
    "chat": Chat,
    "transcript": ClientTranscript,
    "region": Region,
    "acked?": Simple,
    "stats": Simple,
    "stop": Simple,
    "ping": Simple,
}


def parse_text_message(text: str) -> BaseModel:
    """Parse one JSON text frame into its message model; raises ``ProtocolError``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError("bad_json", f"text frame is not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("bad_message", "a text frame must be a JSON object with a 'type'")
    model = _MODELS.get(data["type"])
    if model is None:
        known = ", ".join(sorted(_MODELS))
        raise ProtocolError("unknown_type", f"unknown message type {data['type']!r}; use {known}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError("bad_message", _describe(exc, data["type"])) from None


def _describe(exc: ValidationError, what: str) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or what
        parts.append(f"{loc}: {err['msg']}")
    return f"invalid {what!r} message: " + "; ".join(parts)


def encode_segment_frame(header: SegmentHeader | dict[str, Any], payload: bytes) -> bytes:
    """Build a binary segment frame: 4-byte big-endian header length, JSON header, media."""
    data = header.model_dump() if isinstance(header, SegmentHeader) else header
    raw = json.dumps(data, separators=(",", ":")).encode()
    return _HEADER_LEN.pack(len(raw)) + raw + payload


def decode_segment_frame(frame: bytes) -> tuple[SegmentHeader, memoryview]:
    """Split a binary frame into its validated header and the media bytes (not copied)."""
    if len(frame) < _HEADER_LEN.size:
        raise ProtocolError("bad_frame", "binary frame shorter than its 4-byte header length")
    (n,) = _HEADER_LEN.unpack_from(frame)
    if n == 0 or n > MAX_HEADER_BYTES or _HEADER_LEN.size + n > len(frame):
        raise ProtocolError(
            "bad_frame", f"binary frame declares a {n}-byte header that does not fit"
        )
    try:
        data = json.loads(bytes(frame[_HEADER_LEN.size : _HEADER_LEN.size + n]))
        header = SegmentHeader.model_validate(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ProtocolError("bad_frame", "segment header is not JSON") from None
    except ValidationError as exc:
        seq = data.get("seq") if isinstance(data, dict) else None
        raise ProtocolError(
            "bad_segment_header",
            _describe(exc, "segment header"),
            seq=seq if isinstance(seq, int) else None,
        ) from None
    return header, memoryview(frame)[_HEADER_LEN.size + n :]


def to_ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Compress sequence numbers into inclusive ``[first, last]`` runs (for the acked list)."""
    out: list[list[int]] = []
    for s in sorted(set(seqs)):
        if out and s == out[-1][1] + 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return out


def event(kind: str, **fields: Any) -> dict[str, Any]:
    """A server → client event."""
    return {"type": kind, **fields}


def error_event(exc: ProtocolError) -> dict[str, Any]:
    """The error event for ``exc``."""
    out = event("error", code=exc.code, message=exc.message, fatal=exc.fatal)
    if exc.seq is not None:
        out["seq"] = exc.seq
    return out
