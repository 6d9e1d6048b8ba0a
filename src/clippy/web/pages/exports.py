"""Exports in the dashboard: buttons and live progress on the clip page, the gallery's batch
export, and the exports page (rendering lives in ``clippy.export``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clippy.accounts import visible_user_ids
from clippy.clips import clip_titles, visible_clip
from clippy.db import EXPORT_ACTIVE, User
from clippy.errors import NotFound
from clippy.export import (
    PRESETS,
    BatchProblem,
    ExportOptions,
    ExportRefused,
    check_batch,
    create_export,
    get_preset,
    list_exports,
    queue_batch,
    remember_layout,
    starting_layout,
    visible_export,
)
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.clip import clip_page_with_error, not_found_page
from clippy.web.pages.export_list import export_rows
from clippy.web.pages.layout import layout_from_form
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render
from clippy.web.params import BodyId, IdPath

router = APIRouter(prefix="/app", include_in_schema=False)
RECENT = 30  # exports the exports page lists


@router.get("/clips/{clip_id}/exports", response_class=HTMLResponse)
def exports_partial(
    clip_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """The clip's exports block; it polls itself while a job is queued or running."""
    jobs = list_exports(session, visible_user_ids(session, user), clip_id=clip_id, limit=10)
    rows = export_rows(request, jobs)
    ctx = {
        "clip_id": clip_id,
        "exports": rows,
        "active": any(r["status"] in EXPORT_ACTIVE for r in rows),
    }
    return render(request, "app/_exports.html", ctx)


@router.post("/clips/{clip_id}/export", dependencies=[CsrfChecked])
async def start_export(
    clip_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    preset: Annotated[str, Form(max_length=40)],
) -> Response:
    """Queue an export of the clip for one platform with the layout chosen on the clip page
    (which becomes the stream's default), or the stream's default when none is sent."""
    try:
        clip = visible_clip(session, visible_user_ids(session, user), clip_id)
        chosen = layout_from_form(await request.form())
        layout = chosen or starting_layout(session, clip)
        job = create_export(session, user, clip_id, layout.options(get_preset(preset)))
    except (ExportRefused, NotFound) as exc:
        # clip_page_with_error answers 404 itself when the clip is not the caller's.
        session.rollback()
        return clip_page_with_error(request, session, user, clip_id, str(exc))
    if chosen is not None and clip.user_id == user.id:
        remember_layout(session, clip, chosen)
    session.commit()
    get_ctx(request).jobs.export_queued(job.id)
    return RedirectResponse(f"/app/clips/{clip_id}#exports", 303)


def _clip_titles(session: Session, rows: list[dict[str, Any]]) -> None:
    # Single exports name their clip; one query for the whole list.
    titles = clip_titles(session, {r["clip_id"] for r in rows if r["clip_id"] is not None})
    for r in rows:
        r["clip_title"] = titles.get(r["clip_id"]) or "Untitled clip"


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The user's recent exports, single and batch, with live progress and downloads."""
    return _exports_page(request, session, user)


def _exports_page(
    request: Request,
    session: Session,
    user: User,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    jobs = list_exports(session, visible_user_ids(session, user), limit=RECENT)
    rows = export_rows(request, jobs)
    _clip_titles(session, rows)
    ctx = {"user": user, "exports": rows, **(extra or {})}
    return render(request, "app/exports.html", ctx, status_code=status_code)


@router.get("/exports/{job_id}/row", response_class=HTMLResponse)
def export_row(job_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """One export as a list item; it polls itself while the job is queued or running."""
    try:
        job = visible_export(session, visible_user_ids(session, user), job_id)
    except NotFound:
        return not_found_page(request, user, "export")
    rows = export_rows(request, [job])
    _clip_titles(session, rows)
    return render(request, "app/_export_job.html", {"e": rows[0]})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _problem_rows(session: Session, problems: list[BatchProblem]) -> list[dict[str, Any]]:
    titles = clip_titles(session, {p.clip_id for p in problems})
    return [
        {
            "clip_id": p.clip_id,
            "title": titles.get(p.clip_id) or "Untitled clip",
            "preset": PRESETS[p.preset].label if p.preset in PRESETS else "",
            # The title is shown beside it; the message names the clip by id for the API.
            "message": _sentence(str(p.error).removeprefix(f"clip {p.clip_id}: ")),
            "trim_to": p.trim_to,
        }
        for p in problems
    ]


@router.post("/clips/batch-export", dependencies=[CsrfChecked])
def batch_export(
    request: Request,
    session: SessionDep,
    user: PageUser,
    ids: Annotated[list[BodyId] | None, Form()] = None,
    presets: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Queue the selected clips as one batch export (one zip) for the chosen platforms.

    Nothing is queued while any clip cannot be exported: the answer lists each clip and
    what to trim, and offers to export the others. Someone else's clip id answers 404."""
    clip_ids, names = list(dict.fromkeys(ids or [])), list(dict.fromkeys(presets or []))
    htmx = request.headers.get("hx-request") == "true"
    error, problems = "", []
    try:
        if not clip_ids:
            raise ExportRefused("select at least one clip to export")
        if not names:
            raise ExportRefused("choose at least one platform to export to")
        for name in names:
            get_preset(name)
        options = ExportOptions(preset=names[0])
        problems = check_batch(session, user, clip_ids, names, options)
        if not problems:  # checked just above: queue without checking every pair again
            job = queue_batch(session, user, clip_ids, names, options)
    except NotFound:
        session.rollback()
        return not_found_page(request, user)
    except ExportRefused as exc:
        error = str(exc)
    if error or problems:
        session.rollback()
        bad = {p.clip_id for p in problems}
        ctx = {
            "error": _sentence(error),
            "problems": _problem_rows(session, problems) if problems else [],
            "others": [i for i in clip_ids if i not in bad],
            "presets": names,
        }
        if htmx:  # HTMX swaps only 2xx answers into the page
            return render(request, "app/_batch_export.html", ctx)
        # Without JavaScript the refusal is shown on the exports page, with the real status.
        return _exports_page(request, session, user, ctx, status_code=422)
    session.commit()
    get_ctx(request).jobs.export_queued(job.id)
    if not htmx:
        return RedirectResponse(f"/app/exports#export-{job.id}", 303)
    rows = export_rows(request, [job])
    return render(request, "app/_batch_export.html", {"job": rows[0]})
