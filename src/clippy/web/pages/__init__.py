"""The dashboard and landing page: server-rendered Jinja2 pages enhanced with HTMX."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from clippy.web.pages.security import LoginRequired
from clippy.web.pages.templating import STATIC_DIR

__all__ = ["STATIC_DIR", "install_pages"]


def install_pages(app: FastAPI) -> None:
    """Mount the static files, add the page routes and the log-in redirect."""
    from clippy.web.pages import (
        account,
        archive,
        archive_hls,
        billing,
        branding,
        browsers,
        clip,
        dashboard,
        detection_settings,
        exports,
        layout,
        public,
        publishing,
        recordings,
        team,
    )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        public,
        dashboard,
        clip,
        exports,
        layout,
        archive_hls,
        archive,
        account,
        branding,
        billing,
        team,
        browsers,
        publishing,
        recordings,
    ):
        app.include_router(module.router)
    app.include_router(detection_settings.router)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return public.login_redirect(exc.next_path)
