"""Application factory: the runtime (``clippy.runtime``), its loops in the lifespan, routes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI

from clippy import __version__
from clippy.config import Settings, get_settings
from clippy.runtime import Runtime, build_runtime, running
from clippy.web.body_limit import BodyLimitMiddleware
from clippy.web.errors import install_error_handlers
from clippy.web.headers import SecurityHeadersMiddleware, content_security_policy, media_origins
from clippy.web.links import media_links
from clippy.web.openapi import install_openapi

log = logging.getLogger(__name__)


def build_context(settings: Settings) -> Runtime:
    """The process's runtime (database upgraded to the latest schema), with the API's paths."""
    return build_runtime(settings, media_links)


def body_limit_for(settings: Settings) -> Callable[[str], int | None]:
    """The request body limit of each path (``None``: the route enforces its own)."""

    def limit_for(path: str) -> int | None:
        if path == "/app/settings/branding":  # the logo upload reads and bounds its body
            return None
        if path.startswith("/api/"):
            return settings.max_json_body_bytes
        return settings.max_form_body_bytes

    return limit_for


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app; background loops (pipeline, retention) run for the app's lifetime."""
    settings = settings or get_settings()
    if settings.pipeline_enabled:
        # A missing or corrupted speech model stops the server here, with the file and the fix,
        # rather than failing every segment later.
        from clippy.transcribe import check_transcriber

        check_transcriber(settings)
    ctx = build_context(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(ctx):
            yield

    app = FastAPI(
        title="Clippy",
        version=__version__,
        description="Clip live streams automatically. REST API and WebSocket ingest.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit_for(settings))
    # Added last, so outer: a 413 from the body limit carries the headers too.
    app.add_middleware(
        SecurityHeadersMiddleware, csp=content_security_policy(media_origins(settings))
    )

    install_error_handlers(app)

    from clippy.web import ws_ingest
    from clippy.web.api import (
        auth,
        browsers,
        clips,
        events,
        exports,
        keys,
        languages,
        recordings,
        streams,
        system,
        webhooks,
    )

    for router in (
        system.router,
        auth.router,
        keys.router,
        browsers.router,
        streams.router,
        languages.router,
        recordings.router,
        clips.router,
        exports.router,
        webhooks.router,
        events.router,
        ws_ingest.router,
    ):
        app.include_router(router)

    from clippy.web.pages import install_pages

    install_pages(app)
    install_openapi(app)
    return app
