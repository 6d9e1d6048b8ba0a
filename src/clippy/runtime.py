"""The runtime: every long-lived object of one server process, built once from ``Settings``,
and the one place that starts and stops every background loop.

``web/`` keeps a ``Runtime`` on ``app.state.ctx`` and reads typed fields from it; nothing
here knows about HTTP. The pipeline receives the parts it needs (it never imports this
module), so layers below stay independent of how the process is assembled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import Throttle, set_hash_concurrency
from clippy.archive import LoudnessCache
from clippy.clips import MediaLinks
from clippy.config import Settings
from clippy.db import make_engine, make_session_factory, upgrade
from clippy.events import EventHub
from clippy.export import ExportQueue, QueueConfig
from clippy.ingest import LiveConnections, run_idle_loop
from clippy.record import Recorders
from clippy.retention import run_retention_loop
from clippy.storage import LocalStore, ObjectStore, make_store
from clippy.webhooks import EgressPolicy, SenderConfig, WebhookSender

if TYPE_CHECKING:
    from clippy.pipeline import PipelineRunner

__all__ = ["Runtime", "build_runtime", "running"]


@dataclass(eq=False)
class Runtime:
    """Settings, database, object store, event hub, job runners and caches of one process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: ObjectStore
    secret_key: str
    links: MediaLinks
    hub: EventHub
    throttle: Throttle
    webhooks: WebhookSender
    exports: ExportQueue
    ingest_live: LiveConnections = field(default_factory=LiveConnections)
    archive_loudness: LoudnessCache = field(default_factory=LoudnessCache)
    # Started by ``running`` when the pipeline is enabled; ``None`` otherwise.
    pipeline: PipelineRunner | None = None
    # Channels recorded by URL and videos imported by link (started by ``running``).
    recorders: Recorders | None = None
    ready: bool = False  # every loop started (``/ready``)

    def finish_stream(self, stream_id: int) -> None:
        """After a stream ended (``stop`` or idle): its final detection pass, once processed."""
        if self.pipeline is not None:
            self.pipeline.finish(stream_id)


def build_runtime(settings: Settings, links_for: Callable[[str], MediaLinks]) -> Runtime:
    """Create the shared objects (database upgraded to the latest schema); starts nothing.

    ``links_for(secret)`` signs the paths where media is served (the web layer's routes)."""
    secret_key = settings.resolved_secret_key()
    links = links_for(secret_key)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    store = make_store(settings)
    if isinstance(store, LocalStore):
        store.cleanup_partial()
    session_factory = make_session_factory(engine)
    set_hash_concurrency(settings.password_hash_concurrency)
    hub = EventHub()
    # Business webhooks: exports send export.completed, the hub's clip_created goes out too.
    webhooks = WebhookSender(
        session_factory,
        SenderConfig(
            attempts=settings.webhook_attempts,
            backoff=settings.webhook_backoff_seconds,
            public_url=settings.public_url,
            policy=EgressPolicy.from_setting(settings.egress_allow_hosts),
        ),
    )
    hub.add_listener(webhooks.forward_live_event)
    exports = ExportQueue(
        session_factory,
        store,
        links,
        QueueConfig(
            concurrency=settings.export_concurrency,
            max_attempts=settings.export_max_attempts,
            retry_seconds=settings.export_retry_seconds,
            link_seconds=settings.export_link_seconds,
            public_url=settings.public_url,
        ),
        publish=hub.publish,
        webhooks=webhooks,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        store=store,
        secret_key=secret_key,
        links=links,
        hub=hub,
        throttle=Throttle(),
        webhooks=webhooks,
        exports=exports,
    )


@contextlib.asynccontextmanager
async def running(rt: Runtime) -> AsyncIterator[Runtime]:
    """Run every background loop (retention, idle streams, exports, pipeline) for the
    duration of the block; stop them all, and the database, on the way out."""
    s = rt.settings
    rt.hub.bind_loop(asyncio.get_running_loop())
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(
            run_retention_loop(
                rt.session_factory,
                rt.store,
                s.retention_interval_seconds,
                stop,
                hot_window_seconds=s.hot_window_seconds,
            )
        ),
        asyncio.create_task(
            run_idle_loop(
                rt.session_factory,
                rt.ingest_live,
                rt.finish_stream,
                s.stream_idle_timeout_seconds,
                s.stream_idle_check_seconds,
                stop,
            )
        ),
    ]
    rt.exports.start()
    if s.pipeline_enabled:
        from clippy.pipeline import PipelineRunner

        rt.pipeline = PipelineRunner(rt)
        await rt.pipeline.start()
    rt.recorders = Recorders(rt, asyncio.get_running_loop())
    if s.record_resume:
        await rt.recorders.resume_active()
    rt.ready = True
    try:
        yield rt
    finally:
        rt.ready = False
        stop.set()
        if rt.recorders is not None:
            await rt.recorders.close()
        if rt.pipeline is not None:
            await rt.pipeline.stop()
        rt.exports.stop()
        for t in tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        rt.engine.dispose()
