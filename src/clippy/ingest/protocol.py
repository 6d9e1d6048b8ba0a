"""Ingest protocol v1: message models and the binary segment frame codec (pure, no I/O).

See docs/protocol.md for the normative description.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clippy.errors import InvalidInput

PROTOCOL_VERSION = 1
_HEADER_LEN = struct.Struct(">I")
MAX_HEADER_BYTES = 16 * 1024
# Bounds of the wire, declared once. Stream time is capped at 30 days: far past the longest
# retention (7 days), far below what would make a page loop for ever (epoch milliseconds,
# 1e300). Sequence numbers and counts fit the database's 32-bit integer columns.
MAX_STREAM_SECONDS = 30 * 86400.0
MAX_SEGMENT_SECONDS = 600.0
MAX_SEQ = 2**31 - 1
MAX_PIXELS_PER_SIDE = 100_000.0
MAX_TEXT_FRAME_BYTES = 256 * 1024
MAX_CHAT_LINES = 200
MAX_CHAT_TEXT = 500
MAX_TRANSCRIPT_WORDS = 5000
StreamTime = Annotated[float, Field(ge=0, le=MAX_STREAM_SECONDS)]
Pixels = Annotated[float, Field(ge=0, le=MAX_PIXELS_PER_SIDE)]


class ProtocolError(InvalidInput):
    """A client message that breaks the protocol; ``code`` is sent back in the error event."""

    def __init__(self, code: str, message: str, *, seq: int | None = None, fatal: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.seq = seq
        self.fatal = fatal


class WireModel(BaseModel):
    """A protocol message: strict types (no ``"1"`` for 1), finite numbers only."""

    model_config = ConfigDict(strict=True, allow_inf_nan=False)


class VideoRegion(WireModel):
    """Where the page's main video sits inside the captured frame, in frame pixels."""

    x: Pixels
    y: Pixels
    width: Pixels = Field(gt=0)
    height: Pixels = Field(gt=0)
    frame_width: Pixels | None = Field(default=None, gt=0)
    frame_height: Pixels | None = Field(default=None, gt=0)


class Hello(WireModel):
    type: Literal["hello"]
    protocol: int = Field(default=PROTOCOL_VERSION, ge=0, le=1000)
    token: str = Field(min_length=1, max_length=4096)
    client: str = Field(default="", max_length=200)


class Start(WireModel):
    type: Literal["start"]
    stream_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    title: str = Field(default="", max_length=500)
    page_url: str = Field(default="", max_length=4000)
    platform: str = Field(default="", max_length=40)
    video_region: VideoRegion | None = None
    segment_seconds: float = Field(default=10.0, gt=0, le=120)
    # The stream's spoken language ("de", "auto"); absent: the account's choice applies.
    language: str | None = Field(default=None, min_length=1, max_length=40)


class SegmentHeader(WireModel):
    seq: int = Field(ge=0, le=MAX_SEQ)
    start: StreamTime  # stream-time seconds of the segment's first frame
    duration: float = Field(gt=0, le=MAX_SEGMENT_SECONDS)
    mime: str = Field(default="video/webm", max_length=100)


class ChatLine(WireModel):
    author: str = Field(default="", max_length=200)
    text: str = Field(min_length=1, max_length=MAX_CHAT_TEXT)
    time: StreamTime
    # Badges the page shows beside the author ("broadcaster", "moderator"), when it shows any.
    badges: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=5)


class Chat(WireModel):
    type: Literal["chat"]
    lines: list[ChatLine] = Field(min_length=1, max_length=MAX_CHAT_LINES)


class ClientWord(WireModel):
    text: str = Field(max_length=200)
    start: StreamTime
    end: StreamTime
    confidence: float = Field(default=1.0, ge=0, le=1)


class ClientTranscript(WireModel):
    type: Literal["transcript"]
    chunk_id: str = Field(min_length=1, max_length=64)
    start_time: StreamTime
    transcript: list[ClientWord] = Field(max_length=MAX_TRANSCRIPT_WORDS)


class Region(WireModel):
    type: Literal["region"]
    video_region: VideoRegion


class Simple(WireModel):
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
    if len(text) > MAX_TEXT_FRAME_BYTES:
        raise ProtocolError(
            "message_too_large",
            f"a text frame may hold at most {MAX_TEXT_FRAME_BYTES} bytes; send chat in batches"
            f" of at most {MAX_CHAT_LINES} lines",
            fatal=True,  # megabytes of text: not a client speaking this protocol
        )
    try:
        data = strict_json(text)
    except ValueError as exc:
        raise ProtocolError("bad_json", f"text frame is not JSON: {exc}") from None
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


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number (numbers must be finite)")


def strict_json(raw: str | bytes) -> Any:
    """``json.loads`` as RFC 8259 has it: ``NaN``/``Infinity`` refused (Python accepts them),
    and integers too long to be numbers refused with a ``ValueError``."""
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(exc.msg) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


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
        data = strict_json(bytes(frame[_HEADER_LEN.size : _HEADER_LEN.size + n]))
        header = SegmentHeader.model_validate(data)
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, ValidationError):
            raise _header_error(exc, data) from None
        raise ProtocolError("bad_frame", f"segment header is not JSON: {exc}") from None
    return header, memoryview(frame)[_HEADER_LEN.size + n :]


def _header_error(exc: ValidationError, data: Any) -> ProtocolError:
    seq = data.get("seq") if isinstance(data, dict) else None
    # Echo the seq only when it is one the client could hold (a valid, in-range integer).
    valid_seq = type(seq) is int and 0 <= seq <= MAX_SEQ
    message = _describe(exc, "segment header")
    start = data.get("start") if isinstance(data, dict) else None
    if isinstance(start, int | float) and start > MAX_STREAM_SECONDS:
        message += (
            " (start is seconds since the recording began, not a clock time: is the client"
            " sending epoch milliseconds?)"
        )
    return ProtocolError("bad_segment_header", message, seq=seq if valid_seq else None)


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
