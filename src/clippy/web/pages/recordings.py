"""Recording without a tab: "Watch a channel" and "Import a video" forms, and their list
(status, import progress, stop) refreshed while any is under way."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clippy.db import RECORDING_ACTIVE, Recording, User
from clippy.errors import ClippyError
from clippy.record import (
    RecordingKind,
    create_recording,
    list_recordings,
    mark_stopped,
    visible_recording,
)
from clippy.web.deps import SessionDep, get_ctx, webhook_policy
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render
from clippy.web.params import IdPath

router = APIRouter(prefix="/app/record", include_in_schema=False)

_STATUS_TEXT = {
    "starting": "starting",
    "recording": "recording",
    "reconnecting": "reconnecting",
    "ended": "ended",
    "stopped": "stopped",
    "failed": "failed",
}


def _rows(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {
            "r": r,
            "active": r.status in RECORDING_ACTIVE,
            "percent": round(r.progress * 100),
            "status": _STATUS_TEXT.get(r.status, r.status),
        }
        for r in list_recordings(session, user.id)
    ]


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = _rows(session, user)
    ctx = {
        "user": user,
        "rows": rows,
        "any_active": any(x["active"] for x in rows),
        "error": error,
        "form": form or {},
    }
    return render(request, "app/record.html", ctx, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def record_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The two forms and the user's recordings."""
    return _page(request, session, user)


@router.get("/partials/list", response_class=HTMLResponse)
def record_list(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The recordings table alone (polled while one is under way)."""
    rows = _rows(session, user)
    ctx = {"rows": rows, "any_active": any(x["active"] for x in rows)}
    return render(request, "app/_recordings.html", ctx)


def _start(
    request: Request, session: Session, user: User, kind: RecordingKind, url: str, chat: str
) -> Response:
    ctx = get_ctx(request)
    try:
        rec: Recording = create_recording(
            session,
            user,
            url,
            kind,
            chat=chat.strip(),
            twitch_irc_url=ctx.settings.twitch_irc_url,
            egress=webhook_policy(request),
        )
    except ClippyError as exc:
        form = {"kind": kind, "url": url, "chat": chat}
        return _page(request, session, user, error=str(exc), form=form, status_code=400)
    session.commit()  # the task reads the row in its own session
    if ctx.recorders is not None:
        ctx.recorders.start(rec.id, kind)
    return RedirectResponse("/app/record", 303)


@router.post("/channel", dependencies=[CsrfChecked])
def watch_channel(
    request: Request,
    session: SessionDep,
    user: PageUser,
    url: Annotated[str, Form(max_length=2000)] = "",
    chat: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Start recording a live channel by URL."""
    return _start(request, session, user, RecordingKind.CHANNEL, url, chat)


@router.post("/import", dependencies=[CsrfChecked])
def import_link(
    request: Request,
    session: SessionDep,
    user: PageUser,
    url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Import a finished video by link."""
    return _start(request, session, user, RecordingKind.IMPORT, url, "")


@router.post("/{recording_id}/stop", dependencies=[CsrfChecked])
def stop_recording(
    recording_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Stop a recording: what was recorded stays, the stream ends with its final detection."""
    try:
        rec = visible_recording(session, user.id, recording_id)
    except ClippyError:
        return RedirectResponse("/app/record", 303)
    mark_stopped(rec)
    session.commit()
    recorders = get_ctx(request).recorders
    if recorders is not None:
        recorders.stop(recording_id)
    return RedirectResponse("/app/record", 303)
