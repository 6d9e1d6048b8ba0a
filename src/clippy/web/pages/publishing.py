"""Publishing in the dashboard: connecting YouTube and TikTok (OAuth authorization-code
flow with a redirect back here), the clip page's publish form, cancelling, and the
publishing page listing every publication (``clippy.publish`` does the work)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from clippy.accounts import visible_user_ids
from clippy.clips import visible_clip
from clippy.db import ExportJob, Publication
from clippy.errors import ClippyError, NotFound
from clippy.publish import (
    PLATFORM_LABELS,
    PlatformError,
    PublishConfig,
    VideoMeta,
    account_of,
    authorization_url,
    cancel_publication,
    connections_of,
    create_publication,
    disconnect,
    exchange_code,
    publications_by_clip,
    save_connection,
)
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.clip import clip_page_with_error, not_found_page
from clippy.web.pages.publish_panel import publication_row, publish_panel
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render
from clippy.web.params import IdPath

router = APIRouter(prefix="/app", include_in_schema=False)
STATE_SECONDS = 600  # how long a consent screen may stay open
RECENT = 50


def _config(request: Request) -> PublishConfig:
    return get_ctx(request).publisher.config


def _mac(request: Request, message: str) -> str:
    key = get_ctx(request).secret_key.encode()
    return hmac.new(key, f"oauth-state\n{message}".encode(), hashlib.sha256).hexdigest()[:32]


def _state(request: Request, platform: str, user_id: int) -> str:
    """A signed ``state`` bound to the user, the platform and the time: a callback with
    someone else's code, or a replayed old one, is refused."""
    message = f"{platform}.{user_id}.{int(time.time())}.{secrets.token_urlsafe(8)}"
    return f"{message}.{_mac(request, message)}"


def _state_ok(request: Request, state: str, platform: str, user_id: int) -> bool:
    message, _, mac = state.rpartition(".")
    parts = message.split(".")
    if len(parts) != 4 or not hmac.compare_digest(mac, _mac(request, message)):
        return False
    fresh = parts[2].isdigit() and time.time() - int(parts[2]) < STATE_SECONDS
    return parts[0] == platform and parts[1] == str(user_id) and fresh


def _redirect_uri(request: Request, platform: str) -> str:
    base = get_ctx(request).settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/app/publishing/callback/{platform}"


def _back(notice: str = "", error: str = "") -> RedirectResponse:
    query = f"?notice={quote(notice)}" if notice else f"?error={quote(error)}" if error else ""
    return RedirectResponse(f"/app/publishing{query}", 303)


@router.get("/publishing", response_class=HTMLResponse)
def publishing_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Connected accounts and every recent publication."""
    config = _config(request)
    connected = connections_of(session, user.id)
    pubs = session.scalars(
        select(Publication)
        .where(Publication.user_id.in_(visible_user_ids(session, user)))
        .order_by(Publication.created_at.desc(), Publication.id.desc())
        .limit(RECENT)
    ).all()
    rows = [publication_row(p) for p in pubs]
    ctx = {
        "user": user,
        "platforms": [
            {
                "name": name,
                "label": label,
                "configured": config.app(name).configured,
                "connection": connected.get(name),
            }
            for name, label in PLATFORM_LABELS.items()
        ],
        "publications": rows,
        "active": any(r["open"] for r in rows),
        "notice": request.query_params.get("notice", "")[:300],
        "error": request.query_params.get("error", "")[:300],
    }
    return render(request, "app/publishing.html", ctx)


@router.get("/publishing/connect/{platform}")
def connect(platform: str, request: Request, user: PageUser) -> Response:
    """Send the user to the platform's consent screen."""
    if platform not in PLATFORM_LABELS:
        return _back(error="Unknown platform.")
    app = _config(request).app(platform)
    if not app.configured:
        return _back(
            error=f"{app.label} publishing is not set up on this server (docs/publish.md)."
        )
    url = authorization_url(
        app, _redirect_uri(request, platform), _state(request, platform, user.id)
    )
    return RedirectResponse(url, 303)


@router.get("/publishing/callback/{platform}")
def callback(platform: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Where the platform sends the user back: trade the code for tokens, store them."""
    if platform not in PLATFORM_LABELS:
        return _back(error="Unknown platform.")
    p = request.query_params
    app = _config(request).app(platform)
    if p.get("error"):
        reason = p.get("error_description") or p.get("error", "")
        return _back(error=f"{app.label} did not connect: {reason[:200]}")
    if not _state_ok(request, p.get("state", ""), platform, user.id):
        return _back(error="That sign-in link expired or was not yours; connect again.")
    redirect_uri = _redirect_uri(request, platform)
    try:
        with httpx.Client(timeout=_config(request).timeout_seconds) as http:
            grant = exchange_code(app, http, p.get("code", ""), redirect_uri)
            account = account_of(app, http, grant.access_token)
    except PlatformError as exc:
        return _back(error=str(exc))
    save_connection(session, get_ctx(request).publisher.box, user.id, platform, grant, account)
    return _back(notice=f"{app.label} connected: {account.name or account.account_id}.")


@router.post("/publishing/{platform}/disconnect", dependencies=[CsrfChecked])
def disconnect_platform(
    platform: str, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Forget the tokens (the user can also revoke access on the platform)."""
    label = PLATFORM_LABELS.get(platform, platform)
    if disconnect(session, user.id, platform):
        return _back(notice=f"{label} disconnected.")
    return _back(error=f"No {label} account was connected.")


def _when(value: str) -> datetime | None:
    """A ``datetime-local`` value, read as UTC (the form says so); empty: now."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value.strip() else None


@router.post("/clips/{clip_id}/publish", dependencies=[CsrfChecked])
def publish(
    clip_id: IdPath,
    request: Request,
    session: SessionDep,
    user: PageUser,
    export_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    platform: Annotated[str, Form(max_length=20)],
    title: Annotated[str, Form(max_length=300)],
    description: Annotated[str, Form(max_length=5000)] = "",
    tags: Annotated[str, Form(max_length=1000)] = "",
    privacy: Annotated[str, Form(max_length=20)] = "private",
    when: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Queue the chosen export of the clip for a platform, now or at ``when`` (UTC)."""
    try:
        clip = visible_clip(session, visible_user_ids(session, user), clip_id)
        export = session.get(ExportJob, export_id)
        if clip.user_id != user.id or export is None or export.clip_id != clip.id:
            raise NotFound("no such export of this clip")
        if platform not in connections_of(session, user.id):
            raise NotFound(f"connect a {PLATFORM_LABELS.get(platform, platform)} account first")
        meta = VideoMeta(
            title, description, tuple(t.strip() for t in tags.split(",") if t.strip()), privacy
        )
        pub = create_publication(session, user.id, export, platform, meta, _when(when))
    except (ValueError, ClippyError) as exc:  # ValueError: also a malformed time
        session.rollback()
        return clip_page_with_error(request, session, user, clip_id, f"Not published: {exc}")
    session.commit()
    get_ctx(request).jobs.publication_queued(pub.id)
    return RedirectResponse(f"/app/clips/{clip_id}#publish", 303)


@router.get("/clips/{clip_id}/publications", response_class=HTMLResponse)
def publications_partial(
    clip_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """The clip's publication list; it polls itself while one is still going."""
    try:
        clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    except NotFound:
        return not_found_page(request, user)
    pubs = publications_by_clip(session, [clip.id])[clip.id]
    ctx = {"clip_id": clip.id, "pub": publish_panel(session, user.id, _config(request), pubs)}
    return render(request, "app/_publications.html", ctx)


@router.post("/publishing/{publication_id}/cancel", dependencies=[CsrfChecked])
def cancel(
    publication_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Cancel a publication that has not started uploading."""
    try:
        cancel_publication(session, [user.id], publication_id)
    except ClippyError as exc:
        return _back(error=str(exc))
    return _back(notice="Publication cancelled.")
