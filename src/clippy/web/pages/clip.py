"""The clip page: player, trim (saved as a new cut), title, captions, delete, download.

Exports (buttons per platform, live progress) are the block of ``pages.exports``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts import visible_user_ids
from clippy.clips import (
    CAPTION_STYLES,
    CaptionLine,
    ClipQuotaExceeded,
    ClipSourceMissing,
    InvalidRange,
    TagError,
    clip_captions,
    clip_urls,
    count_download,
    count_view,
    delete_clip,
    merge_lines,
    parse_tags,
    save_captions,
    set_tags,
    split_line,
    tags_by_clip,
    trimmed_parts,
    visible_clip,
)
from clippy.db import EXPORT_ACTIVE, Clip, ClipStats, Stream, User
from clippy.errors import NotFound
from clippy.export import (
    LAYOUT_LABELS,
    POSITION_LABELS,
    PRESETS,
    aspect_label,
    list_exports,
    starting_layout,
)
from clippy.publish import publications_by_clip
from clippy.transcribe import detected_language, language_name
from clippy.web.clipping import make_clip_live
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.export_list import export_rows
from clippy.web.pages.publish_panel import publish_panel
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render
from clippy.web.params import IdPath

router = APIRouter(prefix="/app/clips", include_in_schema=False)


def not_found_page(request: Request, user: User | None, what: str = "clip") -> Response:
    """The 404 page (also for someone else's clip: never reveal that it exists)."""
    ctx = {"user": user, "what": what}
    return render(request, "app/not_found.html", ctx, status_code=404)


def _load(request: Request, session: SessionDep, user: User, clip_id: int) -> Clip | None:
    try:
        return visible_clip(session, visible_user_ids(session, user), clip_id)
    except NotFound:
        return None


def _clip_page(
    request: Request,
    session: SessionDep,
    user: User,
    clip: Clip,
    *,
    lines: list[CaptionLine] | None = None,
    style: str | None = None,
    error: str = "",
    notice: str = "",
    tags_draft: str | None = None,
    status_code: int = 200,
) -> Response:
    links = get_ctx(request).links
    tags = tags_by_clip(session, [clip.id]).get(clip.id, [])
    file_url, thumb = clip_urls(clip, links)
    saved_lines, saved_style, edited = clip_captions(session, clip)
    stream = session.get(Stream, clip.stream_id)
    stats = session.get(ClipStats, clip.id)
    jobs = list_exports(session, visible_user_ids(session, user), clip_id=clip.id, limit=10)
    exports = export_rows(request, jobs)
    layout = starting_layout(session, clip)
    pubs = publications_by_clip(session, [clip.id])[clip.id]
    publisher = get_ctx(request).publisher
    ctx = {
        "user": user,
        "clip": clip,
        "clip_id": clip.id,
        "stream": stream,
        "spoken_language": language_name(detected_language(stream.settings)) if stream else "",
        "file_url": file_url,
        "thumb": thumb,
        "lines": saved_lines if lines is None else lines,
        "style": style or saved_style,
        "edited": edited,
        "styles": CAPTION_STYLES,
        "views": stats.views if stats else 0,
        "downloads": stats.downloads if stats else 0,
        "can_edit": clip.user_id == user.id,
        "presets": [p for p in PRESETS.values() if clip.duration <= p.max_seconds + 1e-3],
        "too_long": [p for p in PRESETS.values() if clip.duration > p.max_seconds + 1e-3],
        "layout": layout,
        "layouts": LAYOUT_LABELS,
        "positions": POSITION_LABELS,
        "aspects": {p.name: aspect_label(layout.aspect_of(p)) for p in PRESETS.values()},
        "x_aspects": {a: aspect_label(a) for a in PRESETS["x"].aspects},
        "exports": exports,
        "active": any(r["status"] in EXPORT_ACTIVE for r in exports),
        "pub": publish_panel(session, user.id, publisher.config, pubs),
        "tags": tags,
        "tags_text": ", ".join(tags) if tags_draft is None else tags_draft,
        "error": error,
        "notice": notice or _notice(request),
    }
    return render(request, "app/clip.html", ctx, status_code=status_code)


def clip_page_with_error(
    request: Request, session: SessionDep, user: User, clip_id: int, error: str
) -> Response:
    """The clip page showing ``error`` (409), or the 404 page when the clip is not visible."""
    clip = _load(request, session, user, clip_id)
    if clip is None:
        return not_found_page(request, user)
    return _clip_page(request, session, user, clip, error=error, status_code=409)


def _notice(request: Request) -> str:
    return {
        "trimmed": "Trimmed copy saved. The original clip is unchanged.",
        "captions": "Captions saved.",
        "title": "Title and tags saved.",
        "made": "Clip made from the archive.",
    }.get(request.query_params.get("saved", ""), "")


@router.get("/{clip_id}", response_class=HTMLResponse)
def clip_page(clip_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """The clip page; counts a view."""
    clip = _load(request, session, user, clip_id)
    if clip is None:
        return not_found_page(request, user)
    count_view(session, clip, user.id)
    return _clip_page(request, session, user, clip)


@router.get("/{clip_id}/download")
def download(clip_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Count a download and hand over the clip's MP4 through its signed link."""
    clip = _load(request, session, user, clip_id)
    file_url, _ = clip_urls(clip, get_ctx(request).links) if clip else (None, None)
    if clip is None or file_url is None:
        return not_found_page(request, user)
    count_download(session, clip.id)
    return RedirectResponse(file_url, 303)


@router.post("/{clip_id}/trim", dependencies=[CsrfChecked])
async def trim(
    clip_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    start: Annotated[float, Form(ge=0)],
    end: Annotated[float, Form(gt=0)],
) -> Response:
    """Save the chosen part of the clip as a new clip (the original stays as it was)."""
    clip = _load(request, session, user, clip_id)
    if clip is None or clip.user_id != user.id:
        return not_found_page(request, user)
    try:
        # Each part keeps its stream: a callback's earlier setup stays in the earlier stream.
        stream_id, earlier, ranges = trimmed_parts(clip, start, end)
    except ValueError as exc:
        return _clip_page(request, session, user, clip, error=str(exc), status_code=400)
    ctx = get_ctx(request)
    title = clip.title
    tags = tags_by_clip(session, [clip.id]).get(clip.id, [])
    session.commit()
    try:
        new = await make_clip_live(
            ctx,
            stream_id,
            ranges,
            title=f"{title} (trimmed)"[:300] if title else "Trimmed clip",
            reason=f"trimmed from clip {clip_id}",
            source="trim",
            earlier=earlier,
        )
    except (InvalidRange, ClipQuotaExceeded, ClipSourceMissing) as exc:
        session.expire_all()
        clip = _load(request, session, user, clip_id)
        assert clip is not None
        return _clip_page(request, session, user, clip, error=str(exc), status_code=409)
    set_tags(session, new, tags)  # the trimmed copy keeps the original's labels
    return RedirectResponse(f"/app/clips/{new.id}?saved=trimmed", 303)


@router.post("/{clip_id}/title", dependencies=[CsrfChecked])
def edit_title(
    clip_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    title: Annotated[str, Form(max_length=300)] = "",
    tags: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Rename the clip and, when the form sends them, replace its tags (comma-separated)."""
    clip = _load(request, session, user, clip_id)
    if clip is None or clip.user_id != user.id:
        return not_found_page(request, user)

    def refused(message: str) -> Response:
        return _clip_page(
            request, session, user, clip, error=message, tags_draft=tags, status_code=400
        )

    if not title.strip():
        return refused("A title cannot be empty.")
    if tags is not None:
        try:
            set_tags(session, clip, parse_tags(tags))
        except TagError as exc:
            return refused(f"Tags not saved: {exc}.")
    clip.title = title.strip()
    return RedirectResponse(f"/app/clips/{clip.id}?saved=title", 303)


@router.post("/{clip_id}/captions", dependencies=[CsrfChecked])
async def edit_captions(
    clip_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Save edited caption lines, or split/merge one line, save, and show the editor again.

    Split and merge save at once: an export started next renders the captions as shown,
    never the lines from before the split."""
    clip = _load(request, session, user, clip_id)
    if clip is None or clip.user_id != user.id:
        return not_found_page(request, user)
    form = await request.form()
    texts = [str(v) for v in form.getlist("text")]
    starts = [float(str(v)) for v in form.getlist("start")]
    ends = [float(str(v)) for v in form.getlist("end")]
    if not (len(texts) == len(starts) == len(ends)):
        return _clip_page(
            request,
            session,
            user,
            clip,
            error="The caption form was incomplete; reload the page.",
            status_code=400,
        )
    lines = [
        CaptionLine(s, e, t.strip()[:300]) for s, e, t in zip(starts, ends, texts, strict=True)
    ]
    style = str(form.get("style", "clean"))
    op = str(form.get("op", "save"))
    if op.startswith(("split:", "merge:")) and op[6:].isdigit() and int(op[6:]) < len(lines):
        index = int(op[6:])
        lines = split_line(lines, index) if op.startswith("split:") else merge_lines(lines, index)
        try:
            save_captions(session, clip, lines, style)
        except ValueError as exc:
            return _clip_page(
                request, session, user, clip, lines=lines, error=str(exc), status_code=400
            )
        notice = "Line split and saved." if op.startswith("split:") else "Lines merged and saved."
        return _clip_page(request, session, user, clip, lines=lines, style=style, notice=notice)
    try:
        save_captions(session, clip, lines, style)
    except ValueError as exc:
        return _clip_page(
            request, session, user, clip, lines=lines, error=str(exc), status_code=400
        )
    return RedirectResponse(f"/app/clips/{clip.id}?saved=captions#captions", 303)


@router.post("/{clip_id}/delete", dependencies=[CsrfChecked])
def remove(clip_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Delete the clip and its files."""
    clip = _load(request, session, user, clip_id)
    if clip is None or clip.user_id != user.id:
        return not_found_page(request, user)
    delete_clip(session, get_ctx(request).store, clip)
    return RedirectResponse("/app/clips?deleted=1", 303)
