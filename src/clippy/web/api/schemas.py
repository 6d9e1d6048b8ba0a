"""Response models of the REST API (shared by several routers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class StreamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_stream_id: str
    title: str
    page_url: str
    platform: str
    video_region: dict[str, Any] | None
    segment_seconds: float
    status: str
    started_at: datetime
    ended_at: datetime | None
    last_segment_at: datetime | None
    received_until: float
    # Stored segments the pipeline has not finished, and how long the oldest has waited.
    unprocessed_segments: int = 0
    processing_lag_seconds: float = 0.0
    # The stream's own language choice (null: the account's applies) and the one heard most.
    language: str | None = None
    detected_language: str = ""


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int
    start_time: float
    duration: float
    mime: str
    size: int
    sha256: str
    tier: str
    width: int | None
    height: int | None
    has_audio: bool
    received_at: datetime
    status: str
    attempts: int
    error: str | None


class WordOut(BaseModel):
    text: str
    start: float
    end: float
    confidence: float = 1.0


class TranscriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stream_id: int
    chunk_id: str
    start_time: float
    end_time: float
    text: str
    words: list[WordOut]
    source: str


class SearchHit(BaseModel):
    stream_id: int
    stream_title: str
    transcript_id: int
    start_time: float
    end_time: float
    text: str
    match_time: float


class RangeOut(BaseModel):
    start: float
    end: float
    # Set when the range is from another of the owner's streams (a callback's earlier setup).
    stream_id: int | None = None


class ClipOut(BaseModel):
    id: int
    stream_id: int
    title: str
    reason: str
    score: float
    source: str
    status: str
    error: str | None
    duration: float
    peak_time: float | None
    ranges: list[RangeOut]
    created_at: datetime
    file_url: str | None
    thumbnail_url: str | None
    tags: list[str] = []
