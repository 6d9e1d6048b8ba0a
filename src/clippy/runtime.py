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

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import Throttle, set_hash_concurrency
from clippy.archive import LoudnessCache
from clippy.clips import MediaLinks
from clippy.config import Settings
from clippy.db import make_engine, make_session_factory, upgrade
from clippy.events import EventHub, make_event_hub
from clippy.ingest import LiveConnections, run_idle_loop
from clippy.jobs import Jobs, check_role, make_jobs
from clippy.publish import PublishConfig, Publisher, TokenBox
from clippy.record import Recorders
from clippy.storage import LocalStore, ObjectStore, make_store

__all__ = ["Runtime", "build_runtime", "running"]


@dataclass(eq=False)
class Runtime:
    """Settings, database, object store, event hub, job layer and caches of one process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: ObjectStore
    secret_key: str
    links: MediaLinks
    hub: EventHub
    throttle: Throttle
    publisher: Publisher
    ingest_live: LiveConnections = field(default_factory=LiveConnections)
    archive_loudness: LoudnessCache = field(default_factory=LoudnessCache)
    # All background work (pipeline, exports, webhooks, retention, publishing): ``clippy.jobs``.
    jobs: Jobs = field(init=False)
    # Channels recorded by URL and videos imported by link (started by ``running``).
    recorders: Recorders | None = None
    ready: bool = False  # every loop started (``/ready``)

    def __post_init__(self) -> None:
        self.jobs = make_jobs(self)
        # Business webhooks: the hub's clip_created goes out as clip.created too.
        self.hub.add_listener(self.jobs.forward_live_event)

    def finish_stream(self, stream_id: int) -> None:
        """After a stream ended (``stop`` or idle): its final detection pass, once processed."""
        self.jobs.stream_finished(stream_id)


def build_runtime(settings: Settings, links_for: Callable[[str], MediaLinks]) -> Runtime:
    """Create the shared objects (database upgraded to the latest schema); starts nothing.

    ``links_for(secret)`` signs the paths where media is served (the web layer's routes).
    Raises ``JobSetupError`` for settings a server cannot run with (``check_role``)."""
    check_role(settings, "serve")
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
    hub = make_event_hub(settings.resolved_database_url)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        store=store,
        secret_key=secret_key,
        links=links,
        hub=hub,
        throttle=Throttle(),
        publisher=Publisher(
            session_factory, store, TokenBox(secret_key), PublishConfig.from_settings(settings)
        ),
    )


@contextlib.asynccontextmanager
async def running(rt: Runtime) -> AsyncIterator[Runtime]:
    """Run every background loop (idle streams and the job layer: pipeline, exports,
    webhooks, retention, publishing) for the duration of the block; stop them all, and the
    database, on the way out."""
    s = rt.settings
    await rt.hub.start()
    stop = asyncio.Event()
    tasks = [
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
    await rt.jobs.start()
    rt.recorders = Recorders(rt, asyncio.get_running_loop(), resume=s.record_resume)
    if s.record_resume:
        await rt.recorders.resume_active()
    tasks.append(asyncio.create_task(rt.recorders.watch(s.record_watch_seconds)))
    rt.ready = True
    try:
        yield rt
    finally:
        rt.ready = False
        stop.set()
        if rt.recorders is not None:
            await rt.recorders.close()
        await rt.jobs.stop()
        await rt.hub.stop()
        for t in tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        rt.engine.dispose()
