"""Streams: start or resume, metadata updates, chat lines and client transcripts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from clippy.db import ChatMessage, Segment, Stream, StreamStatus, TranscriptSegment, User, utcnow
from clippy.errors import NotFound
from clippy.ingest.protocol import ChatLine, ClientTranscript, Start, VideoRegion
from clippy.storage import ObjectStore, stream_prefix


def start_stream(session: Session, user: User, msg: Start, now: datetime | None = None) -> Stream:
    """Create the stream ``msg.stream_id`` for ``user``, or resume it with fresh metadata."""
    stream = session.scalar(
        select(Stream).where(Stream.user_id == user.id, Stream.client_stream_id == msg.stream_id)
    )
    region = msg.video_region.model_dump() if msg.video_region else None
    if stream is None:
        stream = Stream(
            user_id=user.id,
            client_stream_id=msg.stream_id,
            started_at=now or utcnow(),
            received_until=0.0,
        )
        session.add(stream)
    stream.title = msg.title or stream.title or ""
    stream.page_url = msg.page_url or stream.page_url or ""
    stream.platform = msg.platform or stream.platform or ""
    if region is not None:
        stream.video_region = region
    stream.segment_seconds = msg.segment_seconds
    stream.status = StreamStatus.LIVE
    stream.ended_at = None
    session.flush()
    return stream


def acked_seqs(session: Session, stream_id: int) -> list[int]:
    """Sequence numbers of every segment durably stored for the stream."""
    return list(session.scalars(select(Segment.seq).where(Segment.stream_id == stream_id)))


def end_stream(session: Session, stream_id: int, now: datetime | None = None) -> None:
    """Mark the stream ended (the client pressed stop)."""
    stream = session.get(Stream, stream_id)
    if stream is not None:
        stream.status = StreamStatus.ENDED
        stream.ended_at = now or utcnow()


def update_region(session: Session, stream_id: int, region: VideoRegion) -> None:
    """Store the latest video region the extension reported."""
    stream = session.get(Stream, stream_id)
    if stream is not None:
        stream.video_region = region.model_dump()


def add_chat(session: Session, stream_id: int, lines: Iterable[ChatLine]) -> int:
    """Store chat lines; returns how many were stored."""
    rows = [
        ChatMessage(
            stream_id=stream_id,
            author=ln.author,
            text=ln.text,
            time=ln.time,
            badges=",".join(b.lower().replace(",", "") for b in ln.badges),
        )
        for ln in lines
    ]
    session.add_all(rows)
    return len(rows)


def add_client_transcript(session: Session, stream_id: int, msg: ClientTranscript) -> None:
    """Store a transcript chunk the client made itself; re-sending a chunk replaces it."""
    session.execute(
        delete(TranscriptSegment).where(
            TranscriptSegment.stream_id == stream_id,
            TranscriptSegment.chunk_id == msg.chunk_id,
            TranscriptSegment.source == "client",
        )
    )
    words = [w.model_dump() for w in msg.transcript]
    if not words:
        return
    session.add(
        TranscriptSegment(
            stream_id=stream_id,
            chunk_id=msg.chunk_id,
            start_time=min(w["start"] for w in words),
            end_time=max(w["end"] for w in words),
            text=" ".join(w["text"] for w in words),
            words=words,
            source="client",
        )
    )


def visible_stream(session: Session, user_ids: Sequence[int] | set[int], stream_id: int) -> Stream:
    """The stream if one of ``user_ids`` owns it; ``NotFound`` otherwise (never 403: no leak)."""
    stream = session.get(Stream, stream_id)
    if stream is None or stream.user_id not in user_ids:
        raise NotFound(f"stream {stream_id} not found")
    return stream


def delete_stream(session: Session, store: ObjectStore, stream: Stream) -> int:
    """Delete a stream with everything recorded and derived from it; returns objects removed.

    Rows first (one transaction, cascades to segments, transcripts, chat and clips), then the
    objects under the stream's prefix: a crash in between leaves only orphan objects, which
    the retention sweep removes.
    """
    stream_id = stream.id
    session.delete(stream)
    session.commit()
    return store.delete_prefix(stream_prefix(stream_id))


def list_streams(
    session: Session, user_ids: Iterable[int], limit: int = 100, offset: int = 0
) -> list[Stream]:
    """Streams owned by ``user_ids``, newest first."""
    q = (
        select(Stream)
        .where(Stream.user_id.in_(list(user_ids)))
        .order_by(Stream.started_at.desc(), Stream.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(q))


def list_segments(
    session: Session, stream_id: int, limit: int = 500, offset: int = 0
) -> list[Segment]:
    """Segments of a stream in sequence order."""
    q = (
        select(Segment)
        .where(Segment.stream_id == stream_id)
        .order_by(Segment.seq)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(q))


def segment_counts(session: Session, stream_ids: Iterable[int]) -> dict[int, int]:
    """How many segments each stream has stored (streams without any are absent)."""
    ids = list(stream_ids)
    if not ids:
        return {}
    q = select(Segment.stream_id, func.count()).where(Segment.stream_id.in_(ids))
    return dict(session.execute(q.group_by(Segment.stream_id)).tuples().all())


def stream_titles(session: Session, stream_ids: Iterable[int]) -> dict[int, str]:
    """The titles of the given streams by id (no visibility check: ids come from the
    caller's own rows)."""
    ids = list(stream_ids)
    if not ids:
        return {}
    q = select(Stream.id, Stream.title).where(Stream.id.in_(ids))
    return dict(session.execute(q).tuples().all())
