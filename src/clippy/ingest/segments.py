"""Durable segment storage: validate, write atomically, commit the row, then (caller) ack."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import add_recording_seconds, get_plan, recording_allowed, usage_for
from clippy.config import Settings
from clippy.db import Segment, Stream, User, utcnow
from clippy.ingest.protocol import ProtocolError, SegmentHeader
from clippy.media.probe import InvalidMedia, MediaInfo, validate_segment
from clippy.media.source import container_for_mime
from clippy.storage import ObjectStore, segment_key


@dataclass(frozen=True)
class StoredSegment:
    """The outcome of storing one segment: what to acknowledge."""

    segment_id: int
    seq: int
    duplicate: bool


def store_segment(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    settings: Settings,
    user_id: int,
    stream_id: int,
    header: SegmentHeader,
    payload: bytes | memoryview,
    now: datetime | None = None,
    before_commit: Callable[[Session, int], None] | None = None,
) -> StoredSegment:
    """Validate and durably store one segment; raises ``ProtocolError`` when it is refused.

    Returns only after the object is fsynced in place and its row is committed, so the caller
    may acknowledge. A sequence number already stored is reported as a duplicate, not rewritten.
    ``before_commit(session, segment_id)`` runs inside the row's transaction (a durable job
    queue defers the segment's job there, so the row never exists without its job).
    """
    now = now or utcnow()
    seq = header.seq
    if len(payload) > settings.max_segment_bytes:
        raise ProtocolError(
            "segment_too_large",
            f"segment {seq} is {len(payload)} bytes; the limit is {settings.max_segment_bytes}"
            " (lower the quality or the segment length)",
            seq=seq,
        )
    with session_factory() as session:
        existing = session.scalar(
            select(Segment.id).where(Segment.stream_id == stream_id, Segment.seq == seq)
        )
        if existing is not None:
            return StoredSegment(existing, seq, duplicate=True)
        _check_sequence(session, stream_id, seq, settings.max_seq_gap)
        _check_quota(session, user_id, header.duration, now, seq)

    info = _validate(payload, header, settings)
    key = segment_key(stream_id, seq, header.mime)
    store.put_bytes(key, bytes(payload), content_type=header.mime)

    with session_factory() as session:
        row = Segment(
            stream_id=stream_id,
            seq=seq,
            start_time=header.start,
            duration=header.duration,
            mime=header.mime,
            size=len(payload),
            sha256=hashlib.sha256(payload).hexdigest(),
            storage_key=key,
            width=info.width,
            height=info.height,
            has_audio=info.has_audio,
            received_at=now,
        )
        try:
            session.add(row)
            session.flush()  # the unique (stream, seq) check happens here
            stream = session.get(Stream, stream_id)
            if stream is not None:
                stream.received_until = max(stream.received_until, header.start + header.duration)
                stream.last_segment_at = now
            add_recording_seconds(session, user_id, now.date(), header.duration)
            if before_commit is not None:
                before_commit(session, row.id)
            session.commit()
        except IntegrityError:
            # Another connection stored the same seq first (a racing resend): same segment.
            session.rollback()
            seg_id = session.scalar(
                select(Segment.id).where(Segment.stream_id == stream_id, Segment.seq == seq)
            )
            if seg_id is None:
                raise
            return StoredSegment(seg_id, seq, duplicate=True)
        return StoredSegment(row.id, seq, duplicate=False)


def _check_sequence(session: Session, stream_id: int, seq: int, max_gap: int) -> None:
    last = session.scalar(select(func.max(Segment.seq)).where(Segment.stream_id == stream_id))
    base = -1 if last is None else last
    if seq > base + max_gap:
        raise ProtocolError(
            "seq_out_of_range",
            f"segment {seq} is {seq - base} ahead of the last stored segment ({last});"
            f" at most {max_gap} ahead is accepted — is the client's counter reset?",
            seq=seq,
        )


def _check_quota(session: Session, user_id: int, adding: float, now: datetime, seq: int) -> None:
    user = session.get(User, user_id)
    plan = get_plan(user.plan if user else "free")
    used = usage_for(session, user_id, now.date()).recording_seconds
    decision = recording_allowed(plan, used, adding)
    if not decision.allowed:
        # With its seq, so the client stops holding (and resending) the refused segment.
        raise ProtocolError("quota_exceeded", decision.message, fatal=False, seq=seq)


def _validate(payload: bytes | memoryview, header: SegmentHeader, settings: Settings) -> MediaInfo:
    seq = header.seq
    if len(payload) == 0:
        raise ProtocolError("invalid_media", f"segment {seq} is empty (0 bytes)", seq=seq)
    tmp_dir = settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    try:
        suffix = container_for_mime(header.mime).suffix
        with tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=suffix) as tmp:
            tmp.write(payload)
            tmp.flush()
            return validate_segment(
                Path(tmp.name), expected_duration=header.duration, mime=header.mime
            )
    except InvalidMedia as exc:
        raise ProtocolError("invalid_media", f"segment {seq} rejected: {exc}", seq=seq) from None
