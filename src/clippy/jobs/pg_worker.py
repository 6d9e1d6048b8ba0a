"""The procrastinate worker: runs Clippy's jobs from PostgreSQL (``clippy worker``).

Each task is a thin shell around a plain, idempotent step (``clippy.pipeline``,
``clippy.export``, ``clippy.webhooks``, ``clippy.retention``); CPU stages run in a niced
process pool as in the embedded backend. procrastinate brings the rest: retries with back-off,
the ``stream:<id>`` lock that orders a stream's jobs, queueing locks, worker heartbeats, and
the periodic retention and publishing sweeps. Jobs of a worker that stopped beating (killed,
machine lost) are found by any other worker and retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

import procrastinate
from procrastinate import JobContext, RetryStrategy
from sqlalchemy import make_url

from clippy.clips import announce_clip
from clippy.db import Clip, ExportJob, ExportStatus, Stream, StreamStatus, User
from clippy.detect import make_judge
from clippy.export import attempt_export, completed_webhook, export_event, reclaim_export
from clippy.jobs.base import JobParts, Jobs
from clippy.jobs.knobs import export_config, sender_config
from clippy.jobs.pg_defer import defer
from clippy.jobs.pg_specs import (
    EXPORT,
    FINAL_DETECT,
    PUBLISH,
    PUBLISH_SWEEP,
    QUEUES,
    RETENTION,
    SEGMENT,
    WEBHOOK_DELIVER,
    WEBHOOK_FANOUT,
    export_job,
    publish_job,
    webhook_delivery_job,
)
from clippy.jobs.segments import stage_pool
from clippy.pipeline import (
    detect_and_clip,
    make_mezzanine,
    mark_attempt,
    process_segment,
    process_segments,
    record_failure,
    segment_run,
)
from clippy.publish import due_publications
from clippy.retention import sweep_once
from clippy.webhooks import Delivery, deliver_one, plan_deliveries

__all__ = ["build_app", "conninfo", "every", "run_worker"]

log = logging.getLogger(__name__)

CANCEL_POLL_SECONDS = 1.0
FINISHED_JOBS_HOURS = 24  # succeeded jobs (and their events) are kept this long


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def every(seconds: float) -> str:
    """A cron line firing about every ``seconds`` (procrastinate's 6th field is seconds)."""
    if seconds < 60:
        return f"* * * * * */{max(1, round(seconds))}"
    minutes = round(seconds / 60)
    return f"*/{minutes} * * * *" if minutes < 60 else "0 * * * *"


class _Steps:
    """The task bodies, bound to this process's parts."""

    def __init__(self, parts: JobParts, jobs: Jobs, workers: int) -> None:
        self.parts = parts
        self.jobs = jobs
        self.settings = parts.settings
        self.pool = stage_pool(parts.settings, workers)
        self.judge = make_judge(parts.settings)

    def _announce(self, user_id: int, clip: Clip) -> None:
        announce_clip(self.parts.hub, self.parts.session_factory, clip, self.parts.links)

    def _detect(self, stream_id: int, final: bool) -> list[int]:
        return detect_and_clip(
            self.parts.session_factory,
            self.parts.store,
            self.settings,
            stream_id,
            final=final,
            on_clip=self._announce,
            judge=self.judge,
        )

    async def segment(self, ctx: JobContext, segment_id: int, stream_id: int, plan: str) -> None:
        sf = self.parts.session_factory
        attempt = (ctx.job.attempts or 0) + 1
        loop = asyncio.get_running_loop()
        # This job holds the stream's lock: segments stored after this one and still waiting
        # (the workers are behind) are recognised with it in one call, at about a third of
        # the CPU each; their own jobs then find them done and only run detection.
        run = await asyncio.to_thread(
            segment_run, sf, segment_id, self.settings.pipeline_batch_segments
        )
        try:
            if run is not None:
                await asyncio.to_thread(mark_attempt, sf, segment_id, attempt)
                await self._process(run)
        except LookupError:
            return  # the segment is gone (expired, deleted): nothing to do, ever
        except Exception as exc:
            final = attempt >= self.settings.pipeline_max_attempts
            log.warning("segment %s attempt %d failed: %s", segment_id, attempt, exc)
            await asyncio.to_thread(record_failure, sf, segment_id, exc, final)
            if final:
                return
            raise  # procrastinate retries it (the stream's later jobs wait: same lock)
        await asyncio.to_thread(self._detect, stream_id, False)
        # Detection first (it needs only audio and words); the archive's and the cut's
        # H.264 copy after. A failure here is not the segment's: a reader that needs the
        # mezzanine makes it (clips.ensure_mezzanine) or reports the error.
        try:
            await loop.run_in_executor(self.pool, make_mezzanine, segment_id)
        except Exception as exc:
            log.warning("mezzanine of segment %s failed: %s", segment_id, exc)

    async def _process(self, run: list[int]) -> None:
        """``run`` (a segment, then those processed with it) through the stages; if together
        they fail, the first alone (the others' jobs retry them, so a bad one fails alone)."""
        loop = asyncio.get_running_loop()
        if len(run) > 1:
            try:
                await loop.run_in_executor(self.pool, process_segments, run)
                return
            except Exception as exc:
                log.warning("segments %s together failed (%s); the first alone", run, exc)
        await loop.run_in_executor(self.pool, process_segment, run[0])

    def final_detect(self, stream_id: int) -> None:
        with self.parts.session_factory() as session:
            stream = session.get(Stream, stream_id)
            if stream is None or stream.status != StreamStatus.ENDED:
                return  # resumed since: no final pass owed
        self._detect(stream_id, True)

    def export(self, job_id: int) -> None:
        sf, config = self.parts.session_factory, export_config(self.settings)
        # This job holds the export's lock: a row still "running" is a dead attempt.
        reclaim_export(sf, job_id)
        cancel = threading.Event()
        done = threading.Event()
        watcher = threading.Thread(target=self._watch_cancel, args=(job_id, cancel, done))
        watcher.start()
        try:
            outcome = attempt_export(
                sf,
                self.parts.store,
                job_id,
                config,
                cancel,
                on_progress=lambda f: self._export_event(job_id, "export_progress", progress=f),
            )
        finally:
            done.set()
            watcher.join()
        if outcome.result == "done":
            self._export_event(job_id, "export_completed", progress=1.0)
            found = completed_webhook(sf, self.parts.links, config, job_id)
            if found is not None:
                self.jobs.send_webhook(found[0], "export.completed", found[1])
        elif outcome.result == "retry":
            with sf() as session:
                job = session.get(ExportJob, job_id)
                owner = session.get(User, job.user_id) if job is not None else None
                plan = owner.plan if owner is not None else "free"
                defer(session, export_job(job_id, plan, delay=config.retry_seconds))
                session.commit()
        elif outcome.result == "failed":
            self._export_event(job_id, "export_failed", error=outcome.error)

    def _watch_cancel(self, job_id: int, cancel: threading.Event, done: threading.Event) -> None:
        """A cancel may come from any node: watch the row and stop the render."""
        while not done.wait(CANCEL_POLL_SECONDS):
            with self.parts.session_factory() as session:
                job = session.get(ExportJob, job_id)
                if job is None or job.status == ExportStatus.CANCELED:
                    cancel.set()
                    return

    def _export_event(self, job_id: int, kind: str, **data: Any) -> None:
        found = export_event(self.parts.session_factory, job_id, kind, **data)
        if found is not None:
            self.parts.hub.publish(*found)

    def webhook_fanout(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        sf = self.parts.session_factory
        for delivery in plan_deliveries(sf, user_id, event, data):
            with sf() as session:
                defer(session, webhook_delivery_job(delivery))
                session.commit()

    def webhook_deliver(self, **delivery: Any) -> None:
        deliver_one(self.parts.session_factory, sender_config(self.settings), Delivery(**delivery))

    def publish(self, publication_id: int) -> None:
        self.parts.publisher.publish_one(publication_id)

    def publish_sweep(self, timestamp: int) -> None:
        """Defer an attempt at each due publication (scheduled, retried, still processing on
        the platform, or one whose job was never deferred)."""
        with self.parts.session_factory() as session:
            for pid in due_publications(session):
                defer(session, publish_job(pid))
            session.commit()

    async def retention(self, ctx: JobContext, timestamp: int) -> None:
        await asyncio.to_thread(
            sweep_once,
            self.parts.session_factory,
            self.parts.store,
            hot_window_seconds=self.settings.hot_window_seconds,
        )
        if ctx.app is not None:
            await ctx.app.job_manager.delete_old_jobs(nb_hours=FINISHED_JOBS_HOURS)


def build_app(steps: _Steps) -> procrastinate.App:
    """A procrastinate app with Clippy's tasks, connected to the settings' PostgreSQL."""
    s = steps.settings
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(s.resolved_database_url))
    )
    backoff = RetryStrategy(max_attempts=max(0, s.pipeline_max_attempts - 1), exponential_wait=2)
    app.task(name=SEGMENT, queue="media", pass_context=True, retry=backoff)(steps.segment)
    app.task(name=FINAL_DETECT, queue="detect", retry=2)(steps.final_detect)
    app.task(name=EXPORT, queue="export")(steps.export)
    app.task(name=WEBHOOK_FANOUT, queue="webhooks", retry=3)(steps.webhook_fanout)
    app.task(name=WEBHOOK_DELIVER, queue="webhooks")(steps.webhook_deliver)
    app.task(name=PUBLISH, queue="publish")(steps.publish)
    app.periodic(cron=every(s.retention_interval_seconds))(
        app.task(name=RETENTION, queue="maintenance", queueing_lock="retention", pass_context=True)(
            steps.retention
        )
    )
    app.periodic(cron=every(s.publish_check_seconds))(
        app.task(name=PUBLISH_SWEEP, queue="publish", queueing_lock="publish_sweep")(
            steps.publish_sweep
        )
    )
    return app


async def _recover_stalled(app: procrastinate.App, stalled_seconds: float) -> None:
    """Retry the jobs of workers that stopped beating (any live worker may do it)."""
    manager = app.job_manager
    while True:
        await asyncio.sleep(max(1.0, stalled_seconds / 3))
        try:
            for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
                log.warning("jobs: retrying job %s (%s) of a stalled worker", job.id, job.task_name)
                await manager.retry_job(job)
            await manager.prune_stalled_workers(stalled_seconds)
        except Exception:  # the next round tries again
            log.exception("jobs: stalled-job recovery failed")


async def run_worker(
    parts: JobParts,
    jobs: Jobs,
    *,
    queues: Sequence[str] | None = None,
    concurrency: int = 1,
    install_signal_handlers: bool = True,
) -> None:
    """Run jobs from ``queues`` (all when ``None``), ``concurrency`` at a time, until stopped."""
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; choose from {', '.join(QUEUES)}")
    steps = _Steps(parts, jobs, concurrency)
    app = build_app(steps)
    s = parts.settings
    try:
        async with app.open_async():
            recovery = asyncio.create_task(_recover_stalled(app, s.job_stalled_seconds))
            try:
                await app.run_worker_async(
                    queues=list(queues or QUEUES),
                    concurrency=concurrency,
                    wait=True,
                    install_signal_handlers=install_signal_handlers,
                    update_heartbeat_interval=s.job_heartbeat_seconds,
                    stalled_worker_timeout=s.job_stalled_seconds,
                    # Finished jobs stay a day (the retention task removes them): their
                    # events show what ran when, for operators and the cluster tests.
                    delete_jobs="never",
                )
            finally:
                recovery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recovery
    finally:
        steps.pool.shutdown(wait=False, cancel_futures=True)
