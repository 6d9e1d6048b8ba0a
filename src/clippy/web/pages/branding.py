"""Settings → branding (business plan): upload a logo for exports, place it, preview, remove.

The section is its own partial (``app/_branding.html``) that the settings page loads with
HTMX; the forms post normally and land back on the settings page, and a refused upload is
answered with the section on a page of its own, its error shown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from clippy.accounts import get_plan
from clippy.branding import (
    CORNERS,
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    OPACITY_RANGE,
    SIZE_RANGE,
    BrandingError,
    branding_allowed,
    logo_png,
    place_logo,
    prune_logos,
    read_branding,
    remove_logo,
    save_logo,
    set_logo_options,
)
from clippy.db import User
from clippy.errors import NotFound
from clippy.media.image import ImageRejected
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser, verify_csrf
from clippy.web.pages.templating import render

router = APIRouter(prefix="/app/settings/branding", include_in_schema=False)

# Room for the other fields and the multipart framing around the file.
_BODY_LIMIT = MAX_LOGO_BYTES + 64 * 1024
# Past this the connection is dropped; below it an oversized body is read and thrown away so
# the browser, still sending, gets to see the error page instead of a reset.
_DRAIN_LIMIT = 32 * 1024 * 1024
_PREVIEW = (180, 320)  # the 9:16 mock frame on the page, CSS pixels
_NOTICES = {"logo": "Logo saved. New exports carry it.", "options": "Logo placement saved."}
_NOTICES["removed"] = "Logo removed. New exports have no logo."


class _TooLarge(Exception):
    pass


def _context(user: User, *, error: str = "", notice: str = "") -> dict[str, Any]:
    branding = read_branding(user.settings)
    preview = place_logo(branding, *_PREVIEW) if branding is not None else None
    return {
        "user": user,
        "branding": branding,
        "can_brand": branding_allowed(get_plan(user.plan)),
        "corners": CORNERS,
        "size_range": SIZE_RANGE,
        "opacity_range": OPACITY_RANGE,
        "max_mb": MAX_LOGO_BYTES // (1024 * 1024),
        "max_side": MAX_LOGO_SIDE,
        "preview": preview,
        "preview_box": _PREVIEW,
        "branding_error": error,
        "branding_notice": notice,
    }


def _answer(
    request: Request, user: User, *, error: str = "", notice: str = "", status_code: int = 200
) -> Response:
    """The section for HTMX, else the stand-alone page that holds it."""
    name = "app/_branding.html" if request.headers.get("hx-request") else "app/branding.html"
    ctx = _context(user, error=error, notice=notice)
    return render(request, name, ctx, status_code=status_code)


def _sentence(exc: Exception) -> str:
    msg = str(exc)
    return msg[:1].upper() + msg[1:] + ("" if msg.endswith(".") else ".")


@router.get("", response_class=HTMLResponse)
def branding_section(request: Request, user: PageUser) -> Response:
    """The branding section (or page): current logo and preview, upload and placement."""
    notice = _NOTICES.get(request.query_params.get("saved", ""), "")
    return _answer(request, user, notice=notice)


async def _limited_body(request: Request) -> bytes:
    """The request body, refused (``_TooLarge``) past ``_BODY_LIMIT`` without keeping more
    than that in memory; a declared Content-Length over the limit is refused unread."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _DRAIN_LIMIT:
        raise _TooLarge
    chunks: list[bytes] = []
    total = 0
    stream: AsyncIterator[bytes] = request.stream()
    async for chunk in stream:
        total += len(chunk)
        if total > _DRAIN_LIMIT:
            raise _TooLarge
        if total <= _BODY_LIMIT:
            chunks.append(chunk)
        else:
            chunks.clear()
    if total > _BODY_LIMIT:
        raise _TooLarge
    return b"".join(chunks)


async def _read_form(request: Request) -> tuple[Request, FormData]:
    body = await _limited_body(request)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    copy = Request(request.scope, replay)
    return copy, await copy.form(max_files=1, max_fields=10)


def _int_field(form: FormData, name: str, default: int) -> int:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise BrandingError(f"{name} must be a whole number, not {value[:20]!r}") from None


@router.post("", response_class=HTMLResponse)
async def save_branding(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Upload a logo and/or change its placement (multipart form, CSRF checked)."""
    try:
        copy, form = await _read_form(request)
    except _TooLarge:
        limit = f"{MAX_LOGO_BYTES // (1024 * 1024)} MB"
        msg = f"The upload is too large: a logo may be at most {limit}. Nothing was saved."
        return _answer(request, user, error=msg, status_code=413)
    await verify_csrf(copy)
    upload = form.get("logo")
    current = read_branding(user.settings)
    try:
        corner = str(form.get("corner") or (current.corner if current else "top-right"))
        size = _int_field(form, "size", current.size if current else 15)
        opacity = _int_field(form, "opacity", current.opacity if current else 90)
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_LOGO_BYTES + 1)
            await run_in_threadpool(
                save_logo, get_ctx(request).store, user, data, corner, size, opacity
            )
            saved = "logo"
        else:
            set_logo_options(user, corner, size, opacity)
            saved = "options"
    except (BrandingError, ImageRejected) as exc:
        error = _sentence(exc) + " Nothing was saved."
        return _answer(request, user, error=error, status_code=400)
    await run_in_threadpool(_commit_and_prune, request, session, user)
    return RedirectResponse(f"/app/settings?branding={saved}#branding", 303)


def _commit_and_prune(request: Request, session: Session, user: User) -> None:
    # Objects go only after the settings that stop pointing at them are committed.
    session.commit()
    prune_logos(session, get_ctx(request).store, user)


@router.post("/delete", response_class=HTMLResponse, dependencies=[CsrfChecked])
def delete_branding(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Remove the logo; exports made from now on carry none."""
    if not remove_logo(user):
        return _answer(request, user, error="There is no logo to remove.", status_code=404)
    _commit_and_prune(request, session, user)
    return RedirectResponse("/app/settings?branding=removed#branding", 303)


@router.get("/logo/{digest}.png")
def logo_image(digest: str, request: Request, user: PageUser) -> Response:
    """The caller's current logo (another user's or an old digest is 404)."""
    try:
        png = logo_png(get_ctx(request).store, user, digest)
    except NotFound:
        return Response("logo not found", status_code=404, media_type="text/plain")
    # The URL names the content, so it never changes; private: it is one user's file.
    headers = {
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(png, media_type="image/png", headers=headers)
