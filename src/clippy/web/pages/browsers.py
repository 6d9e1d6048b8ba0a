"""Getting the extension and connecting it: the download page, the zip, "Connect this browser"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from clippy.accounts import PairingError, approve_pairing, pending_pairing
from clippy.extension import BUNDLE_FOLDER, ExtensionNotBuilt, bundle_for_server
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render

router = APIRouter(prefix="/app", include_in_schema=False)

ZIP_NAME = f"{BUNDLE_FOLDER}.zip"


def _server_url(request: Request) -> str:
    return get_ctx(request).settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")


@router.get("/extension", response_class=HTMLResponse)
def extension_page(request: Request, user: PageUser) -> Response:
    """The three steps: download, load unpacked, connect."""
    bundle = get_ctx(request).settings.resolved_extension_bundle
    ctx = {
        "user": user,
        "available": bundle.is_file(),
        "zip_name": ZIP_NAME,
        "folder": BUNDLE_FOLDER,
        "server_url": _server_url(request),
    }
    return render(request, "app/extension.html", ctx)


@router.get(f"/extension/{ZIP_NAME}")
def extension_zip(request: Request, _user: PageUser) -> Response:
    """The built extension, set up for this server (answered 503 with the fix if unbuilt)."""
    bundle = get_ctx(request).settings.resolved_extension_bundle
    try:
        data = bundle_for_server(bundle, _server_url(request))
    except ExtensionNotBuilt as exc:
        return Response(str(exc), status_code=503, media_type="text/plain")
    headers = {"Content-Disposition": f'attachment; filename="{ZIP_NAME}"'}
    return Response(data, media_type="application/zip", headers=headers)


@router.get("/connect", response_class=HTMLResponse)
def connect_page(request: Request, session: SessionDep, user: PageUser, code: str = "") -> Response:
    """Approve the browser waiting with ``code`` (opened by the extension's Connect button)."""
    try:
        browser = pending_pairing(session, code[:20])
    except PairingError as exc:
        ctx = {"user": user, "error": str(exc), "browser": None, "code": ""}
        return render(request, "app/connect.html", ctx, status_code=410)
    ctx = {"user": user, "error": "", "browser": browser, "code": browser.pair_code}
    return render(request, "app/connect.html", ctx)


@router.post("/connect", dependencies=[CsrfChecked])
def approve(
    request: Request,
    session: SessionDep,
    user: PageUser,
    code: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Connect the waiting browser to this account; the extension picks up its key."""
    try:
        browser = approve_pairing(session, user.id, code)
    except PairingError as exc:
        ctx = {"user": user, "error": str(exc), "browser": None, "code": ""}
        return render(request, "app/connect.html", ctx, status_code=410)
    ctx = {"user": user, "error": "", "browser": browser, "code": browser.pair_code}
    return render(request, "app/connect.html", {**ctx, "approved": True})
