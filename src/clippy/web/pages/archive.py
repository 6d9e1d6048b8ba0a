"""The streams list and the archive browser: timeline, loudness, transcript, search, make clip.

Media is served through the session cookie (same origin, so ``<img>`` and ``<video>`` send
it) and every route answers 404 for a stream the user cannot see.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clippy.accounts import get_plan, visible_user_ids
from clippy.archive import (
    ArchiveMediaMissing,
    LoudnessCache,
    archive_thumbnail,
    find_window,
    loudness_points,
    overview_bands,
    peak_downsample,
    plan_view,
    player_map,
    preview_video,
    preview_windows,
    stored_spans,
    thumb_step,
    thumb_times,
)
from clippy.clips import (
    ClipQuotaExceeded,
    ClipSourceMissing,
    InvalidRange,
    clip_counts,
    stream_clip_marks,
)
from clippy.db import Stream, User
from clippy.detect import LABELS as LENGTH_LABELS
from clippy.detect import InvalidClipLength, effective_length, stored_length, with_length
from clippy.errors import NotFound
from clippy.ingest import list_streams, visible_stream
from clippy.pipeline import backlogs
from clippy.transcribe import (
    UnsupportedLanguage,
    language_support,
    lines_between,
    search_transcripts,
    with_language,
)
from clippy.web.clipping import make_clip_live
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.charts import loudness_chart
from clippy.web.pages.clip import not_found_page
from clippy.web.pages.language import language_context
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import STATIC_DIR, duration, render
from clippy.web.params import IdPath

router = APIRouter(prefix="/app/streams", include_in_schema=False)

HLS_SCRIPT = STATIC_DIR / "vendor" / "hls.min.js"
_SAVED = {
    "clip_length": "Clip length saved for this stream.",
    "language": "Language saved for this stream. Its next segments are recognised in it.",
}
VIEW_SECONDS = 600.0  # the detail view: ten minutes, twenty thumbnails at most
_OVERVIEW_BUCKETS = 400
_DETAIL_BUCKETS = 300


def _stream(session: Session, user: User, stream_id: int) -> Stream | None:
    try:
        return visible_stream(session, visible_user_ids(session, user), stream_id)
    except NotFound:
        return None


@router.get("", response_class=HTMLResponse)
def streams_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Every visible stream with its length and clip count, linking to its archive."""
    streams = list_streams(session, visible_user_ids(session, user), limit=200)
    ids = [s.id for s in streams]
    counts = clip_counts(session, ids)
    waiting = backlogs(session, [s.id for s in streams])
    rows = [{"s": s, "clips": counts.get(s.id, 0), "backlog": waiting.get(s.id)} for s in streams]
    return render(request, "app/streams.html", {"user": user, "rows": rows})


def _archive_page(
    request: Request,
    session: Session,
    user: User,
    stream: Stream,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    language_error: str = "",
    status_code: int = 200,
) -> Response:
    p = request.query_params
    spans = stored_spans(session, stream.id)
    first = spans[0].start if spans else 0.0
    last = spans[-1].end if spans else 0.0
    try:
        at: float | None = float(p["at"]) if "at" in p else None
    except ValueError:
        at = None
    if at is not None and not math.isfinite(at):
        at = None
    view = plan_view(at, VIEW_SECONDS, first, last)
    step = thumb_step(view.end - view.start)
    cache: LoudnessCache = get_ctx(request).archive_loudness
    loudness = cache.for_spans(session, stream.id, spans)
    # The overview plots each segment's loudest second; the view plots every second.
    overview_points = [(x.start, x.peak) for x in loudness if x.peak is not None]
    points = loudness_points(
        {"start": x.start, "loudness": x.values}
        for x in loudness
        if x.start < view.end and x.start + len(x.values) > view.start
    )
    base = f"/app/streams/{stream.id}"
    marks = [(a, b, f"Clip: {title}") for _, title, a, b in stream_clip_marks(session, stream.id)]
    # The overview's clickable bands page the detail view, one band per view.
    bands = [(a, b, f"{base}?at={t:.0f}") for a, b, t in overview_bands(first, last, VIEW_SECONDS)]
    overview = loudness_chart(
        # One point per segment, so no bucket narrower than a segment (else gaps).
        peak_downsample(
            overview_points,
            first,
            last,
            _OVERVIEW_BUCKETS,
            resolution=(last - first) / max(1, len(spans)),
        ),
        first,
        last,
        title="Loudness over the whole recording",
        highlight=(view.start, view.end),
        links=bands,
        marks=marks,
        height=56,
    )
    detail = loudness_chart(
        peak_downsample(points, view.start, view.end, _DETAIL_BUCKETS),
        view.start,
        view.end,
        title=f"Loudness from {duration(view.start)} to {duration(view.end)}",
        marks=marks,
    )
    lines = lines_between(session, stream.id, view.start, view.end)
    query = p.get("q", "")[:200].strip()
    hits = (
        search_transcripts(session, visible_user_ids(session, user), query, limit=30)
        if query
        else []
    )
    owner = session.get(User, stream.user_id)
    # The player needs the windows of this view only (and the next, to play on past its end).
    windows = [
        {"start": w.start, "end": w.end, "url": f"{base}/preview/{w.first_seq}.mp4"}
        for w in preview_windows(spans)
        if w.end > view.start and w.start < view.end + VIEW_SECONDS
    ]
    ctx: dict[str, Any] = {
        "user": user,
        "stream": stream,
        "has_media": bool(spans),
        "first": first,
        "last": last,
        "view": view,
        "step": step,
        "thumbs": thumb_times(spans, view.start, view.end, step),
        "overview_svg": overview,
        "detail_svg": detail,
        "lines": lines,
        "query": query,
        "hits": hits,
        "windows": windows,
        "retention": get_plan(owner.plan if owner else "free").retention,
        "can_clip": stream.user_id == user.id,
        "form": form
        or {"start": f"{view.start:.1f}", "end": f"{min(view.start + 30, view.end):.1f}"},
        "error": error,
        # Continuous playback of every stored segment when hls.js is installed (setup).
        "hls": HLS_SCRIPT.exists() and bool(spans),
        "hls_map": player_map(spans),
        "clip_length": stored_length(stream.settings),
        "account_length": effective_length(
            owner.settings if owner else None, None, get_ctx(request).settings.clip_length
        ),
        "clip_lengths": LENGTH_LABELS,
        "notice": _SAVED.get(p.get("saved", ""), ""),
        "lang": language_context(
            get_ctx(request).settings, owner.settings if owner else None, stream.settings
        ),
        "language_error": language_error,
    }
    return render(request, "app/archive.html", ctx, status_code=status_code)


@router.get("/{stream_id}", response_class=HTMLResponse)
def archive_page(
    stream_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """A stream's retained recording: timeline, loudness, transcript, search, make clip."""
    stream = _stream(session, user, stream_id)
    if stream is None:
        return not_found_page(request, user, "stream")
    return _archive_page(request, session, user, stream)


@router.post("/{stream_id}/clip-length", dependencies=[CsrfChecked])
def save_stream_clip_length(
    stream_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    clip_length: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Set how long this stream's clips are ("" follows the account's choice)."""
    stream = _stream(session, user, stream_id)
    if stream is None or stream.user_id != user.id:
        return not_found_page(request, user, "stream")
    try:
        stream.settings = with_length(stream.settings, clip_length or None)
    except InvalidClipLength as exc:
        error = f"{str(exc).capitalize()}. Nothing was saved."
        return _archive_page(request, session, user, stream, error=error, status_code=400)
    return RedirectResponse(f"/app/streams/{stream.id}?saved=clip_length#clip-length", 303)


@router.post("/{stream_id}/language", dependencies=[CsrfChecked])
def save_stream_language(
    stream_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    language: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Set the language this stream is spoken in ("" follows the account's choice)."""
    stream = _stream(session, user, stream_id)
    if stream is None or stream.user_id != user.id:
        return not_found_page(request, user, "stream")
    try:
        support = language_support(get_ctx(request).settings)
        stream.settings = with_language(stream.settings, language or None, support)
    except UnsupportedLanguage as exc:
        error = f"{str(exc)[:1].upper()}{str(exc)[1:]}. Nothing was saved."
        return _archive_page(request, session, user, stream, language_error=error, status_code=400)
    return RedirectResponse(f"/app/streams/{stream.id}?saved=language#language", 303)


@router.get("/{stream_id}/thumbs/{t}.jpg")
async def thumbnail(
    stream_id: IdPath, t: int, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """The frame at stream second ``t`` (made on first request, then cached in the store)."""
    stream = _stream(session, user, stream_id)
    if stream is None or t < 0:
        return Response(status_code=404)
    spans = stored_spans(session, stream_id)
    session.close()
    try:
        data = await asyncio.to_thread(
            archive_thumbnail, get_ctx(request).store, stream_id, spans, t
        )
    except ArchiveMediaMissing:
        return Response(status_code=404)
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/{stream_id}/preview/{first_seq}.mp4")
async def preview(
    stream_id: IdPath, first_seq: int, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """The MP4 of the preview window starting at segment ``first_seq`` (range requests work)."""
    stream = _stream(session, user, stream_id)
    if stream is None:
        return Response(status_code=404)
    spans = stored_spans(session, stream_id)
    session.close()
    store = get_ctx(request).store
    try:
        window = find_window(spans, first_seq)
        key = await asyncio.to_thread(preview_video, store, stream_id, spans, window)
    except ArchiveMediaMissing:
        return Response(status_code=404)
    url = store.presigned_url(key, expires_seconds=3600)
    if url:
        return RedirectResponse(url)
    with store.open_local(key) as local:
        # Local disk: open_local yields the stored file itself, which outlives this block.
        return FileResponse(local, media_type="video/mp4")


@router.post("/{stream_id}/clips", dependencies=[CsrfChecked])
async def make_archive_clip(
    stream_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    start: Annotated[float, Form(ge=0)],
    end: Annotated[float, Form(gt=0)],
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Cut ``start``-``end`` of one of the user's own streams into a new clip."""
    stream = _stream(session, user, stream_id)
    if stream is None or stream.user_id != user.id:
        # A teammate may browse the archive but clips count against the owner's plan.
        return not_found_page(request, user, "stream")
    ctx = get_ctx(request)
    session.commit()
    try:
        clip = await make_clip_live(
            ctx,
            stream_id,
            [(start, end)],
            title=title.strip() or f"Clip from {duration(start)}",
            reason="made by hand in the archive",
            source="manual",
        )
    except (InvalidRange, ClipQuotaExceeded, ClipSourceMissing) as exc:
        session.expire_all()
        msg = str(exc)
        form = {"start": f"{start:.1f}", "end": f"{end:.1f}", "title": title}
        status = 400 if isinstance(exc, InvalidRange) else 409
        return _archive_page(
            request,
            session,
            user,
            stream,
            error=msg[:1].upper() + msg[1:] + ".",
            form=form,
            status_code=status,
        )
    return RedirectResponse(f"/app/clips/{clip.id}?saved=made", 303)
