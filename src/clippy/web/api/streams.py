"""Streams, their segments and transcripts, and transcript search."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from clippy import ingest, transcribe
from clippy.accounts import visible_user_ids
from clippy.db import Stream
from clippy.pipeline import Backlog, backlogs
from clippy.transcribe import detected_language, list_transcript, stored_language
from clippy.web.api.schemas import SearchHit, SegmentOut, StreamOut, TranscriptOut
from clippy.web.deps import CurrentUser, SessionDep, get_ctx
from clippy.web.params import IdPath, IdQuery, Offset

router = APIRouter(prefix="/api/v1", tags=["streams"])


@router.get("/streams", response_model=list[StreamOut])
def list_streams(
    session: SessionDep,
    user: CurrentUser,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> list[StreamOut]:
    """The caller's (and their team's) streams, newest first."""
    rows = ingest.list_streams(session, visible_user_ids(session, user), limit, offset)
    return _with_backlog(session, rows)


@router.get("/streams/{stream_id}", response_model=StreamOut)
def get_stream(stream_id: IdPath, session: SessionDep, user: CurrentUser) -> StreamOut:
    """One stream; 404 when it is not the caller's."""
    stream = ingest.visible_stream(session, visible_user_ids(session, user), stream_id)
    return _with_backlog(session, [stream])[0]


def _with_backlog(session: Session, rows: Sequence[Stream]) -> list[StreamOut]:
    waiting = backlogs(session, [r.id for r in rows])
    out = []
    for row in rows:
        b = waiting.get(row.id, Backlog())
        item = StreamOut.model_validate(row)
        item.unprocessed_segments, item.processing_lag_seconds = b.segments, b.lag_seconds
        item.language = stored_language(row.settings)
        item.detected_language = detected_language(row.settings)
        out.append(item)
    return out


@router.delete("/streams/{stream_id}", status_code=204)
def delete_stream(
    stream_id: IdPath, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Delete one of the caller's streams with its segments, transcript, chat and clips."""
    stream = ingest.visible_stream(session, {user.id}, stream_id)
    ingest.delete_stream(session, get_ctx(request).store, stream)
    return Response(status_code=204)


@router.get("/streams/{stream_id}/segments", response_model=list[SegmentOut])
def list_segments(
    stream_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    limit: int = Query(500, ge=1, le=5000),
    offset: Offset = 0,
) -> list[SegmentOut]:
    """A stream's stored segments in sequence order."""
    ingest.visible_stream(session, visible_user_ids(session, user), stream_id)
    rows = ingest.list_segments(session, stream_id, limit, offset)
    return [SegmentOut.model_validate(r) for r in rows]


@router.get("/streams/{stream_id}/transcript", response_model=list[TranscriptOut])
def get_transcript(
    stream_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    start: float = Query(0.0, ge=0, description="stream-time seconds"),
    limit: int = Query(200, ge=1, le=2000),
    offset: Offset = 0,
) -> list[TranscriptOut]:
    """A stream's transcript in time order, paged."""
    ingest.visible_stream(session, visible_user_ids(session, user), stream_id)
    rows = list_transcript(session, stream_id, start=start, limit=limit, offset=offset)
    return [TranscriptOut.model_validate(r) for r in rows]


@router.get("/search/transcripts", response_model=list[SearchHit])
def search_transcripts(
    session: SessionDep,
    user: CurrentUser,
    q: str = Query(..., min_length=1, max_length=200),
    stream_id: IdQuery = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[SearchHit]:
    """Full-text search over the caller's transcripts; each hit has the stream time of the match."""
    hits = transcribe.search_transcripts(
        session, visible_user_ids(session, user), q, stream_id=stream_id, limit=limit
    )
    return [SearchHit(**h.__dict__) for h in hits]
