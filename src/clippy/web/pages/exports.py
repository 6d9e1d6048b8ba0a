"""Export buttons and live progress on the clip page (rendering lives in ``clippy.export``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts.teams import visible_user_ids
from clippy.clips.editing import CAPTION_STYLES
from clippy.db.models import ClipCaption, ExportJob
from clippy.export.jobs import create_export, list_exports
from clippy.export.plan import ExportOptions
from clippy.export.presets import PRESETS, ExportRefused
from clippy.ingest.streams import NotFound
from clippy.web.api.exports import export_out
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render

router = APIRouter(prefix="/app/clips", include_in_schema=False)
ACTIVE = ("queued", "running")


def export_rows(request: Request, jobs: list[ExportJob]) -> list[dict[str, Any]]:
    """What the exports list shows per job: preset label, status, progress, download link."""
    ctx = get_ctx(request)
    rows = []
    for job in jobs:
        out = export_out(job, ctx.secret_key, ctx.settings.export_link_seconds)
        preset = PRESETS.get(job.preset)
        rows.append(
            {
                "id": job.id,
                "label": preset.label if preset else job.preset,
                "status": job.status,
                "percent": round(100 * job.progress),
                "error": job.error,
                "download_url": out.download_url,
                "srt_url": out.srt_url,
            }
        )
    return rows


@router.get("/{clip_id}/exports", response_class=HTMLResponse)
def exports_partial(
    clip_id: int, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """The clip's exports block; it polls itself while a job is queued or running."""
    jobs = list_exports(session, visible_user_ids(session, user), clip_id=clip_id, limit=10)
    rows = export_rows(request, jobs)
    ctx = {"clip_id": clip_id, "exports": rows, "active": any(r["status"] in ACTIVE for r in rows)}
    return render(request, "app/_exports.html", ctx)


@router.post("/{clip_id}/export", dependencies=[CsrfChecked])
def start_export(
    clip_id: int,
    request: Request,
    session: SessionDep,
    user: PageUser,
    preset: Annotated[str, Form(max_length=40)],
) -> Response:
    """Queue an export of the clip for one platform, with the clip's caption style."""
    from clippy.web.pages.clip import clip_page_with_error  # the page renders this block too

    saved = session.get(ClipCaption, clip_id)
    style = saved.style if saved is not None and saved.style in CAPTION_STYLES else "bold"
    try:
        job = create_export(
            session, user, clip_id, ExportOptions(preset=preset, caption_style=style)
        )
    except (ExportRefused, NotFound) as exc:
        # clip_page_with_error answers 404 itself when the clip is not the caller's.
        session.rollback()
        return clip_page_with_error(request, session, user, clip_id, str(exc))
    session.commit()
    get_ctx(request).extras["exports"].submit(job.id)
    return RedirectResponse(f"/app/clips/{clip_id}#exports", 303)
