"""Home, the clip gallery (search, filters, batch delete) and the live event feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from clippy.accounts import get_plan, has_connected_browser, usage_for, utc_day, visible_user_ids
from clippy.clips import (
    SORTS,
    ClipQuotaExceeded,
    ClipSourceMissing,
    GalleryQuery,
    InvalidRange,
    MediaLinks,
    clip_urls,
    delete_clip,
    gallery_page,
    last_clip_times,
    last_seconds,
    list_clips,
    tags_by_clip,
    user_tags,
    visible_clip,
)
from clippy.db import Clip, Publication, PublicationStatus, StreamStatus, User
from clippy.errors import NotFound
from clippy.export import PRESETS, exported_clip_ids
from clippy.ingest import list_streams, segment_counts, stream_titles, visible_stream
from clippy.publish import PLATFORM_LABELS, publications_by_clip
from clippy.web.clipping import make_clip_live
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.live import event_stream
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render
from clippy.web.params import BodyId, IdPath, db_int

router = APIRouter(prefix="/app", include_in_schema=False)
STATUSES = ("ready", "pending", "failed")


def clip_card(
    clip: Clip,
    links: MediaLinks,
    stream_title: str = "",
    tags: Sequence[str] = (),
    published: Sequence[Publication] = (),
) -> dict[str, Any]:
    """What a gallery card shows about a clip (``published``: its publications)."""
    _file, thumb = clip_urls(clip, links)
    return {
        "id": clip.id,
        "title": clip.title or "Untitled clip",
        "stream_id": clip.stream_id,
        "stream": stream_title or f"Stream {clip.stream_id}",
        "created_at": clip.created_at,
        "score": clip.score,
        "reason": clip.reason,
        "source": clip.source,
        "status": clip.status,
        "duration": clip.duration,
        "thumb": thumb,
        "tags": list(tags),
        "published": [
            {"label": PLATFORM_LABELS.get(p.platform, p.platform), "url": p.video_url}
            for p in published
            if p.status == PublicationStatus.PUBLISHED
        ],
    }


def _live_streams(session: Session, ids: set[int], user_id: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    streams = [s for s in list_streams(session, ids, limit=50) if s.status == StreamStatus.LIVE]
    ids_live = [s.id for s in streams]
    # Two grouped queries for the whole panel, not two per stream.
    seg_counts = segment_counts(session, ids_live)
    last_clips = last_clip_times(session, ids_live)
    out = []
    for s in streams:
        lag = (now - s.last_segment_at).total_seconds() if s.last_segment_at else None
        out.append(
            {
                "id": s.id,
                "title": s.title or f"Stream {s.id}",
                "platform": s.platform,
                "duration": s.received_until,
                "segments": seg_counts.get(s.id, 0),
                "lag": lag,
                "last_clip": last_clips.get(s.id),
                "own": s.user_id == user_id,
            }
        )
    return out


def usage_summary(session: Session, user: User) -> dict[str, Any]:
    """Today's recording and clips against the user's plan (home and billing pages)."""
    plan = get_plan(user.plan)
    used = usage_for(session, user.id, utc_day())
    hours = plan.recording_hours_per_day
    rec_pct = None if hours is None else min(100.0, 100 * used.recording_seconds / (hours * 3600))
    clips_pct = (
        None if plan.clips_per_day is None else min(100.0, 100 * used.clips / plan.clips_per_day)
    )
    return {
        "plan": plan,
        "recording_seconds": used.recording_seconds,
        "recording_limit": None if hours is None else hours * 3600,
        "recording_pct": rec_pct,
        "clips": used.clips,
        "clips_limit": plan.clips_per_day,
        "clips_pct": clips_pct,
    }


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Live streams, recent clips and today's usage against the plan."""
    ids = visible_user_ids(session, user)
    links = get_ctx(request).links
    recent = list_clips(session, ids, limit=8)
    titles = stream_titles(session, {c.stream_id for c in recent})
    has_streams = bool(list_streams(session, ids, limit=1))
    ctx = {
        "user": user,
        "live": _live_streams(session, ids, user.id),
        "recent": [clip_card(c, links, titles.get(c.stream_id, "")) for c in recent],
        "usage": usage_summary(session, user),
        "has_streams": has_streams,
        "welcome": request.query_params.get("welcome") == "1",
        "clip_error": request.query_params.get("clip_error", "")[:300],
    }
    ctx["first_run"] = first_run_steps(
        connected=has_connected_browser(session, user.id),
        recorded=has_streams,
        clipped=bool(recent),
    )
    return render(request, "app/home.html", ctx)


def first_run_steps(*, connected: bool, recorded: bool, clipped: bool) -> list[dict[str, Any]]:
    """Home's walk-through: install → connect → record → first clip; empty once all done.

    Installing cannot be seen from the server; connecting or recording proves it happened.
    """
    done = [connected or recorded, connected or recorded, recorded, clipped]
    if all(done):
        return []
    keys = ("install", "connect", "record", "clip")
    current = done.index(False)
    return [
        {"key": key, "done": ok, "current": i == current}
        for i, (key, ok) in enumerate(zip(keys, done, strict=True))
    ]


@router.get("/partials/usage", response_class=HTMLResponse)
def usage_partial(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Today's usage alone: Home refreshes it so a live stream's minutes count up."""
    return render(request, "app/_usage.html", {"usage": usage_summary(session, user)})


CLIP_LAST_SECONDS = 30.0


@router.post("/live/{stream_id}/clip", dependencies=[CsrfChecked])
async def clip_last(
    stream_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Clip the last 30 s of one of the user's live streams, then open the new clip."""
    try:
        # Clips count against the stream owner's plan: only the owner clips from Home.
        visible_stream(session, {user.id}, stream_id)
        start, end = last_seconds(session, stream_id, CLIP_LAST_SECONDS)
    except NotFound:
        return Response(status_code=404)
    except ClipSourceMissing as exc:
        return RedirectResponse(f"/app?clip_error={quote(str(exc))}", 303)
    session.commit()
    try:
        clip = await make_clip_live(
            get_ctx(request),
            stream_id,
            [(start, end)],
            title="Clipped from Home",
            reason="the last 30 s, clipped by hand",
            source="manual",
        )
    except (InvalidRange, ClipQuotaExceeded, ClipSourceMissing) as exc:
        return RedirectResponse(f"/app?clip_error={quote(str(exc))}", 303)
    return RedirectResponse(f"/app/clips/{clip.id}", 303)


@router.get("/partials/live", response_class=HTMLResponse)
def live_partial(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The live-streams panel alone (HTMX polls it every few seconds)."""
    live = _live_streams(session, visible_user_ids(session, user), user.id)
    return render(request, "app/_live.html", {"live": live})


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


_MAX_PAGE = 100_000


def _gallery_query(request: Request) -> GalleryQuery:
    p = request.query_params
    stream = p.get("stream", "")
    status = p.get("status", "")
    sort = p.get("sort", "new")
    page = p.get("page", "1")
    exported = p.get("exported", "")
    return GalleryQuery(
        q=p.get("q", "")[:200],
        stream_id=db_int(stream),
        date_from=_parse_date(p.get("from", "")),
        date_to=_parse_date(p.get("to", "")),
        min_score=_parse_float(p.get("min_score", "")),
        status=status if status in STATUSES else "",
        exported=exported if exported in PRESETS else "",
        tag=" ".join(p.get("tag", "").lower().split())[:30],
        sort=sort if sort in SORTS else "new",
        # Bounded so page x page size stays an offset the database takes.
        page=min(db_int(page) or 1, _MAX_PAGE),
    )


@router.get("/clips", response_class=HTMLResponse)
def gallery(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The clip gallery; an HTMX request gets only the results block."""
    ids = visible_user_ids(session, user)
    gq = _gallery_query(request)
    result = gallery_page(session, ids, gq, exported_clip_ids)
    links = get_ctx(request).links
    tags = tags_by_clip(session, [c.id for c in result.clips])
    pubs = publications_by_clip(session, [c.id for c in result.clips])
    cards = [
        clip_card(
            c, links, result.stream_titles.get(c.stream_id, ""), tags.get(c.id, ()), pubs[c.id]
        )
        for c in result.clips
    ]
    filtered = bool(
        gq.q
        or gq.stream_id
        or gq.date_from
        or gq.date_to
        or gq.min_score
        or gq.status
        or gq.exported
        or gq.tag
    )
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    ctx = {
        "user": user,
        "cards": cards,
        "result": result,
        "gq": gq,
        "filtered": filtered,
        "params": params,
        "statuses": STATUSES,
        "presets": list(PRESETS.values()),
        "sorts": {"new": "Newest", "old": "Oldest", "score": "Highest score", "long": "Longest"},
        # New clips are only slotted in live where they belong: first page, newest first.
        "live_insert": gq.page == 1 and gq.sort == "new" and not filtered,
    }
    if (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-target") == "results"
    ):
        return render(request, "app/_results.html", ctx)
    # The filter form's choices: only the full page draws them, not each search keystroke.
    ctx["streams"] = list_streams(session, ids, limit=200)
    ctx["tags"] = user_tags(session, ids)
    return render(request, "app/gallery.html", ctx)


@router.get("/clips/{clip_id}/card", response_class=HTMLResponse)
def card(clip_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """One gallery card (the live feed inserts it when a clip is created)."""
    try:
        clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    except NotFound:
        return Response(status_code=404)
    titles = stream_titles(session, {clip.stream_id})
    c = clip_card(clip, get_ctx(request).links, titles.get(clip.stream_id, ""))
    return render(request, "app/_card.html", {"c": c, "fresh": True})


@router.post("/clips/batch-delete", dependencies=[CsrfChecked])
def batch_delete(
    request: Request,
    session: SessionDep,
    user: PageUser,
    ids: Annotated[list[BodyId] | None, Form()] = None,
) -> Response:
    """Delete the selected clips (only the caller's own; teammates' clips are not theirs)."""
    store = get_ctx(request).store
    deleted = 0
    for clip_id in ids or []:
        try:
            clip = visible_clip(session, {user.id}, clip_id)
        except NotFound:
            continue
        delete_clip(session, store, clip)
        deleted += 1
    return RedirectResponse(f"/app/clips?deleted={deleted}", 303)


@router.get("/events")
async def events(request: Request, user: PageUser) -> StreamingResponse:
    """The user's live events over SSE, authenticated by the session cookie (an EventSource
    cannot send an Authorization header)."""
    return event_stream(request, user.id)
