"""The procrastinate backend's deferring side (every node): jobs go into PostgreSQL.

Deferring is a row insert in our own transaction (``pg_defer``). A ``clippy serve`` that also
runs jobs (no ``--no-worker``) starts an in-process worker too; ``clippy worker`` runs only
the worker. Queue depth per stream and per plan is read from the job table for ``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from clippy import metrics
from clippy.db import ExportJob, Publication, Stream, User, Webhook, utcnow
from clippy.jobs.base import JobParts
from clippy.jobs.pg_defer import JobSpec, defer
from clippy.jobs.pg_specs import (
    FINAL_DETECT,
    SEGMENT,
    export_job,
    final_detect_job,
    publish_job,
    segment_job,
    webhook_delivery_job,
    webhook_fanout_job,
)
from clippy.pipeline import backlogs
from clippy.webhooks import live_event_webhook, open_ping

__all__ = ["ProcrastinateJobs"]

log = logging.getLogger(__name__)

_DEPTHS = text(
    "SELECT queue_name, args->>'stream_id', args->>'plan', task_name, count(*)"
    " FROM procrastinate_jobs WHERE status = 'todo'"
    " GROUP BY queue_name, args->>'stream_id', args->>'plan', task_name"
)
_STREAM_PENDING = text(
    "SELECT 1 FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
    " AND task_name = ANY(:tasks) AND args->>'stream_id' = :stream_id LIMIT 1"
)
METRICS_SECONDS = 2.0


class ProcrastinateJobs:
    """``Jobs`` stored in PostgreSQL (``CLIPPY_JOB_BACKEND=procrastinate``)."""

    backend = "procrastinate"

    def __init__(self, parts: JobParts) -> None:
        self.parts = parts
        self._tasks: list[asyncio.Task[None]] = []
        self._depth = 0
        self._labels: tuple[set[str], set[str], set[str]] = (set(), set(), set())

    async def start(self) -> None:
        """Publish queue depths; run an in-process worker unless this is an ingest node."""
        self._tasks.append(asyncio.create_task(self._publish_loop()))
        if self.parts.settings.run_jobs:
            from clippy.jobs.pg_worker import run_worker

            self._tasks.append(
                asyncio.create_task(
                    run_worker(
                        self.parts,
                        self,
                        concurrency=self.parts.settings.pipeline_workers,
                        install_signal_handlers=False,
                    )
                )
            )

    async def stop(self) -> None:
        """Stop the loops (jobs of a stopped in-process worker are retried as stalled)."""
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()

    # -- deferring -------------------------------------------------------------------------

    def _defer(self, spec: JobSpec) -> bool:
        with self.parts.session_factory() as session:
            done = defer(session, spec)
            session.commit()
            return done

    def _plan(self, session: Session, user_id: int | None) -> str:
        user = session.get(User, user_id) if user_id is not None else None
        return user.plan if user is not None else "free"

    def before_segment_commit(
        self, session: Session, segment_id: int, stream_id: int, plan: str
    ) -> None:
        """The segment's job joins the transaction that stores its row."""
        defer(session, segment_job(segment_id, stream_id, plan))

    def segment_stored(self, segment_id: int, stream_id: int, plan: str) -> None:
        """Nothing: the job was deferred with the row."""

    def stream_finished(self, stream_id: int) -> None:
        """Defer the final detection pass (after the stream's segment jobs, by its lock)."""
        with self.parts.session_factory() as session:
            stream = session.get(Stream, stream_id)
            plan = self._plan(session, stream.user_id if stream else None)
            defer(session, final_detect_job(stream_id, plan))
            session.commit()

    def stream_resumed(self, stream_id: int) -> None:
        """Nothing: the final pass checks that the stream is still ended when it runs."""

    def export_queued(self, job_id: int) -> None:
        """Defer an export attempt."""
        with self.parts.session_factory() as session:
            job = session.get(ExportJob, job_id)
            defer(session, export_job(job_id, self._plan(session, job.user_id if job else None)))
            session.commit()

    def export_canceled(self, job_id: int) -> None:
        """Nothing to send: the worker rendering it watches the row and stops its ffmpeg."""

    def publication_queued(self, publication_id: int) -> None:
        """Defer its attempt to its scheduled time."""
        with self.parts.session_factory() as session:
            pub = session.get(Publication, publication_id)
            if pub is None:
                return
            wait = (pub.scheduled_at - utcnow()).total_seconds()
            defer(session, publish_job(publication_id, delay=wait))
            session.commit()

    def send_webhook(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        """Defer the event's fan-out to the owner's webhooks."""
        self._defer(webhook_fanout_job(user_id, event, data))

    def ping_webhook(self, hook: Webhook) -> int:
        """Open the ping's delivery row and defer its delivery."""
        delivery = open_ping(self.parts.session_factory, hook)
        self._defer(webhook_delivery_job(delivery))
        return delivery.delivery_id

    def forward_live_event(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """``clip_created`` → ``clip.created`` webhooks, as a job."""
        found = live_event_webhook(user_ids, event, self.parts.settings.public_url)
        if found is not None:
            self.send_webhook(*found)

    # -- back-pressure ---------------------------------------------------------------------

    def queue_depth(self) -> int:
        """Segment jobs waiting, all streams (as of the last read, every 2 s)."""
        return self._depth

    def processing_lag(self, stream_id: int) -> float:
        """The stream's processing lag, read from its segment rows."""
        with self.parts.session_factory() as session:
            found = backlogs(session, [stream_id]).get(stream_id)
        return found.lag_seconds if found is not None else 0.0

    def stream_jobs_pending(self, stream_id: int) -> bool:
        """Whether a segment job or the final pass of the stream is still to do or running
        (read from procrastinate's job table: any worker may be running them)."""
        with self.parts.session_factory() as session:
            found = session.execute(
                _STREAM_PENDING,
                {"stream_id": str(stream_id), "tasks": [SEGMENT, FINAL_DETECT]},
            ).first()
        return found is not None

    async def _publish_loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self._publish)
            except Exception:  # metrics must never stop the node
                log.exception("jobs: reading queue depths failed")
            await asyncio.sleep(METRICS_SECONDS)

    def _publish(self) -> None:
        with self.parts.session_factory() as session:
            rows = session.execute(_DEPTHS).all()
        queues: dict[str, int] = {}
        streams: dict[str, int] = {}
        plans: dict[str, int] = {}
        for queue, stream_id, plan, task, n in rows:
            queues[queue] = queues.get(queue, 0) + n
            if task == SEGMENT and stream_id is not None:
                streams[stream_id] = streams.get(stream_id, 0) + n
                plans[plan or "free"] = plans.get(plan or "free", 0) + n
        self._depth = sum(streams.values())
        metrics.QUEUE_DEPTH.set(self._depth)
        old_q, old_s, old_p = self._labels
        for gauge, old, new in (
            (metrics.JOBS_QUEUED, old_q, queues),
            (metrics.STREAM_QUEUE_DEPTH, old_s, streams),
            (metrics.PLAN_QUEUE_DEPTH, old_p, plans),
        ):
            for label in old - new.keys():
                gauge.labels(label).set(0)
            for label, n in new.items():
                gauge.labels(label).set(n)
        self._labels = (set(queues), set(streams), set(plans))
