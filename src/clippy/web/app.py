"""Application factory: wires settings, database, object store, pipeline and routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from clippy import __version__
from clippy.accounts.passwords import set_hash_concurrency
from clippy.accounts.throttle import Throttle, Throttled
from clippy.config import Settings, get_settings
from clippy.db.migrate import upgrade
from clippy.db.session import make_engine, make_session_factory
from clippy.events import EventHub
from clippy.export.egress import EgressPolicy
from clippy.export.sender import SenderConfig, WebhookSender
from clippy.ingest.idle import LiveConnections, run_idle_loop
from clippy.ingest.streams import NotFound
from clippy.storage.factory import make_store
from clippy.storage.local import LocalStore
from clippy.storage.sweeper import run_retention_loop
from clippy.web.body_limit import BodyLimitMiddleware
from clippy.web.context import AppContext
from clippy.web.errors import validation_error_response
from clippy.web.headers import SecurityHeadersMiddleware, content_security_policy, media_origins
from clippy.web.openapi import install_openapi
from clippy.web.throttling import throttled_response

log = logging.getLogger(__name__)


def build_context(settings: Settings) -> AppContext:
    """Create the shared objects (database upgraded to the latest schema)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    store = make_store(settings)
    if isinstance(store, LocalStore):
        store.cleanup_partial()
    ctx = AppContext(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        store=store,
        secret_key=settings.resolved_secret_key(),
    )
    ctx.extras["hub"] = EventHub()
    ctx.extras["throttle"] = Throttle()
    set_hash_concurrency(settings.password_hash_concurrency)
    # Business webhooks: exports send export.completed, the hub's clip_created goes out too.
    webhooks = WebhookSender(
        ctx.session_factory,
        SenderConfig(
            attempts=settings.webhook_attempts,
            backoff=settings.webhook_backoff_seconds,
            public_url=settings.public_url,
            policy=EgressPolicy.from_setting(settings.egress_allow_hosts),
        ),
    )
    ctx.extras["webhooks"] = webhooks
    ctx.extras["hub"].add_listener(webhooks.forward_live_event)
    ctx.extras["ingest_live"] = LiveConnections()
    return ctx


def body_limit_for(settings: Settings) -> Callable[[str], int | None]:
    """The request body limit of each path (``None``: the route enforces its own)."""

    def limit_for(path: str) -> int | None:
        if path == "/app/settings/branding":  # the logo upload reads and bounds its body
            return None
        if path.startswith("/api/"):
            return settings.max_json_body_bytes
        return settings.max_form_body_bytes

    return limit_for


def finish_stream(ctx: AppContext, stream_id: int) -> None:
    """After a stream ended (``stop`` or idle): its final detection pass, once processed."""
    pipeline = ctx.extras.get("pipeline")
    if pipeline is not None:
        pipeline.finish(stream_id)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app; background loops (pipeline, retention) run for the app's lifetime."""
    settings = settings or get_settings()
    if settings.pipeline_enabled:
        # A missing or corrupted speech model stops the server here, with the file and the fix,
        # rather than failing every segment later.
        from clippy.transcribe.factory import check_transcriber

        check_transcriber(settings)
    ctx = build_context(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx.extras["hub"].bind_loop(asyncio.get_running_loop())
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(
                run_retention_loop(
                    ctx.session_factory,
                    ctx.store,
                    settings.retention_interval_seconds,
                    stop,
                    hot_window_seconds=settings.hot_window_seconds,
                )
            )
        ]
        tasks.append(
            asyncio.create_task(
                run_idle_loop(
                    ctx.session_factory,
                    ctx.extras["ingest_live"],
                    lambda stream_id: finish_stream(ctx, stream_id),
                    settings.stream_idle_timeout_seconds,
                    settings.stream_idle_check_seconds,
                    stop,
                )
            )
        )
        pipeline = None
        if settings.pipeline_enabled:
            from clippy.pipeline.runner import PipelineRunner

            pipeline = PipelineRunner(ctx)
            ctx.extras["pipeline"] = pipeline
            await pipeline.start()
        ctx.extras["ready"] = True
        try:
            yield
        finally:
            ctx.extras["ready"] = False
            stop.set()
            if pipeline is not None:
                await pipeline.stop()
            for t in tasks:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
            ctx.engine.dispose()

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

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    app.add_exception_handler(Throttled, throttled_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)

    from clippy.web import ws_ingest
    from clippy.web.api import (
        auth,
        browsers,
        clips,
        events,
        exports,
        keys,
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
