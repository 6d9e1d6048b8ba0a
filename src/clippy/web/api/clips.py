"""Clips: list, detail, tags, delete, and their video file and thumbnail."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import Field

from clippy.accounts import visible_user_ids
from clippy.clips import (
    MediaLinks,
    clip_urls,
    delete_clip,
    list_clips,
    parse_tags,
    set_tags,
    tags_by_clip,
    verify_path,
    visible_clip,
)
from clippy.db import Clip
from clippy.errors import NotFound
from clippy.ingest import visible_stream
from clippy.web.api.schemas import ClipOut, RangeOut
from clippy.web.clipping import make_clip_live
from clippy.web.deps import CurrentUser, SessionDep, get_ctx
from clippy.web.openapi import file_responses, refusals
from clippy.web.params import IdPath, IdQuery, Offset, StrictBody

router = APIRouter(prefix="/api/v1", tags=["clips"])


def clip_out(clip: Clip, links: MediaLinks, tags: Sequence[str] = ()) -> ClipOut:
    """The API view of a clip, with signed media URLs when its files exist."""
    file_url, thumbnail_url = clip_urls(clip, links)
    return ClipOut(
        id=clip.id,
        stream_id=clip.stream_id,
        title=clip.title,
        reason=clip.reason,
        score=clip.score,
        source=clip.source,
        status=clip.status,
        error=clip.error,
        duration=clip.duration,
        peak_time=clip.peak_time,
        ranges=[RangeOut(start=r.start, end=r.end, stream_id=r.stream_id) for r in clip.ranges],
        created_at=clip.created_at,
        file_url=file_url,
        thumbnail_url=thumbnail_url,
        tags=list(tags),
    )


@router.get("/clips", response_model=list[ClipOut])
def get_clips(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    stream_id: IdQuery = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> list[ClipOut]:
    """The caller's clips, newest first."""
    links = get_ctx(request).links
    rows = list_clips(
        session, visible_user_ids(session, user), stream_id=stream_id, limit=limit, offset=offset
    )
    tags = tags_by_clip(session, [c.id for c in rows])
    return [clip_out(c, links, tags.get(c.id, ())) for c in rows]


@router.get("/clips/{clip_id}", response_model=ClipOut)
def get_clip(clip_id: IdPath, request: Request, session: SessionDep, user: CurrentUser) -> ClipOut:
    """One clip; 404 when it is not the caller's."""
    clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    return clip_out(clip, get_ctx(request).links, tags_by_clip(session, [clip.id]).get(clip.id, ()))


class TagsIn(StrictBody):
    tags: list[str] = Field(default_factory=list, max_length=100)


@router.put("/clips/{clip_id}/tags", response_model=ClipOut)
def put_tags(
    clip_id: IdPath, body: TagsIn, request: Request, session: SessionDep, user: CurrentUser
) -> ClipOut:
    """Replace the clip's tags (422 with the reason when one cannot be used)."""
    clip = visible_clip(session, {user.id}, clip_id)
    tags = parse_tags(",".join(body.tags))  # TagError is an InvalidInput: 422
    set_tags(session, clip, tags)
    return clip_out(clip, get_ctx(request).links, tags)


@router.delete("/clips/{clip_id}", status_code=204)
def remove_clip(
    clip_id: IdPath, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Delete a clip and its files."""
    clip = visible_clip(session, {user.id}, clip_id)
    delete_clip(session, get_ctx(request).store, clip)
    return Response(status_code=204)


def _media(request: Request, clip_id: int, kind: str, exp: int, sig: str) -> Response:
    ctx = get_ctx(request)
    path = ctx.links.clip_path(clip_id, kind)
    if not verify_path(ctx.secret_key, path, exp, sig):
        raise HTTPException(403, "this media link is invalid or has expired; fetch the clip again")
    with ctx.session_factory() as session:
        clip = session.get(Clip, clip_id)
        key = None if clip is None else (clip.file_key if kind == "file" else clip.thumb_key)
    if key is None:
        raise NotFound(f"clip {clip_id} has no {kind}")
    url = ctx.store.presigned_url(key)
    if url:
        return RedirectResponse(url)
    media_type = "video/mp4" if kind == "file" else "image/jpeg"
    with ctx.store.open_local(key) as local:
        # Local disk: open_local yields the stored file itself, which outlives this block.
        return FileResponse(
            local,
            media_type=media_type,
            filename=f"clip-{clip_id}.{'mp4' if kind == 'file' else 'jpg'}",
        )


_LINK_REFUSED = refusals(**{"403": "the signed link is invalid or has expired"})


@router.get("/clips/{clip_id}/file", responses={**file_responses("video/mp4"), **_LINK_REFUSED})
def clip_file(clip_id: IdPath, request: Request, exp: int = 0, sig: str = "") -> Response:
    """The clip's MP4 (signed link from the clip's ``file_url``; supports range requests)."""
    return _media(request, clip_id, "file", exp, sig)


@router.get(
    "/clips/{clip_id}/thumbnail", responses={**file_responses("image/jpeg"), **_LINK_REFUSED}
)
def clip_thumbnail(clip_id: IdPath, request: Request, exp: int = 0, sig: str = "") -> Response:
    """The clip's JPEG thumbnail (signed link from the clip's ``thumbnail_url``)."""
    return _media(request, clip_id, "thumbnail", exp, sig)


class RangeIn(StrictBody):
    start: float = Field(ge=0, description="stream-time seconds")
    end: float = Field(gt=0)


class ClipIn(StrictBody):
    ranges: list[RangeIn] = Field(min_length=1, max_length=10)
    title: str = Field(default="", max_length=300)


@router.post(
    "/streams/{stream_id}/clips",
    response_model=ClipOut,
    status_code=201,
    responses=refusals(
        **{
            "409": "the segments of the range are not processed yet (or expired)",
            "429": "today's clips of the plan are used",
        }
    ),
)
async def make_manual_clip(
    stream_id: IdPath, body: ClipIn, request: Request, session: SessionDep, user: CurrentUser
) -> ClipOut:
    """Cut a clip by hand from any recorded range(s) of one of the caller's streams."""
    ctx = get_ctx(request)
    visible_stream(session, {user.id}, stream_id)
    session.close()
    ranges = [(r.start, r.end) for r in body.ranges]
    # Refusals answer by family: InvalidRange 422, ClipQuotaExceeded 429, ClipSourceMissing 409.
    clip = await make_clip_live(
        ctx, stream_id, ranges, title=body.title or "Manual clip", source="manual"
    )
    return clip_out(clip, ctx.links)
