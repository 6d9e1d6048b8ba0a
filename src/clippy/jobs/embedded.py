"""The embedded backend (the default): every job runs inside this process.

Segments go through ``SegmentRunner`` (asyncio + a process pool, streams served in turn),
exports through ``ExportThreads``, webhook deliveries through ``WebhookThreads``, and the
retention and publishing sweeps run periodically. Nothing needs PostgreSQL; unfinished work
is found again from the rows at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from clippy.db import Webhook
from clippy.jobs.base import JobParts
from clippy.jobs.exports import ExportThreads
from clippy.jobs.knobs import export_config, sender_config
from clippy.jobs.periodic import run_periodic
from clippy.jobs.segments import SegmentRunner
from clippy.jobs.webhooks import WebhookThreads
from clippy.publish import publish_due
from clippy.retention import sweep_once

__all__ = ["EmbeddedJobs"]


class EmbeddedJobs:
    """``Jobs`` run in-process (``CLIPPY_JOB_BACKEND=embedded``)."""

    backend = "embedded"

    def __init__(self, parts: JobParts) -> None:
        self.parts = parts
        settings = parts.settings
        self.webhooks = WebhookThreads(parts.session_factory, sender_config(settings))
        self.exports = ExportThreads(
            parts.session_factory,
            parts.store,
            parts.links,
            export_config(settings),
            publish=parts.hub.publish,
            send_webhook=self.webhooks.send,
        )
        # Built by ``start`` when the pipeline is enabled (it needs the running loop).
        self.segments: SegmentRunner | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start exports, the pipeline (if enabled) and the periodic retention and publishing
        sweeps."""
        s = self.parts.settings
        self._stop = asyncio.Event()
        sweep = partial(
            sweep_once,
            self.parts.session_factory,
            self.parts.store,
            hot_window_seconds=s.hot_window_seconds,
        )
        publish = partial(publish_due, self.parts.publisher, self._stop.is_set)
        for name, step, seconds in (
            ("retention sweep", sweep, s.retention_interval_seconds),
            ("publishing", publish, self.parts.publisher.config.check_seconds),
        ):
            self._tasks.append(asyncio.create_task(run_periodic(name, step, seconds, self._stop)))
        self.exports.start()
        if s.pipeline_enabled:
            self.segments = SegmentRunner(self.parts)
            await self.segments.start()

    async def stop(self) -> None:
        """Stop every runner; unfinished segments and exports are re-queued at next start."""
        self._stop.set()
        if self.segments is not None:
            await self.segments.stop()
        await asyncio.to_thread(self.exports.stop)
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()

    def before_segment_commit(
        self, session: Session, segment_id: int, stream_id: int, plan: str
    ) -> None:
        """Nothing to do: the committed row is found again at the next start."""

    def segment_stored(self, segment_id: int, stream_id: int, plan: str) -> None:
        """Queue the segment for its stream (never waits for the pipeline)."""
        if self.segments is not None:
            self.segments.submit(segment_id, stream_id, plan)

    def stream_finished(self, stream_id: int) -> None:
        """The final detection pass once the stream's queued segments are done."""
        if self.segments is not None:
            self.segments.finish(stream_id)

    def stream_resumed(self, stream_id: int) -> None:
        """No final pass owed any more."""
        if self.segments is not None:
            self.segments.resume(stream_id)

    def export_queued(self, job_id: int) -> None:
        """Render the export on an export thread."""
        self.exports.submit(job_id)

    def export_canceled(self, job_id: int) -> None:
        """Kill the export's render if it runs."""
        self.exports.cancel(job_id)

    def publication_queued(self, publication_id: int) -> None:
        """Nothing: the periodic publishing sweep takes it within one check interval."""

    def send_webhook(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        """Deliver on webhook threads."""
        self.webhooks.send(user_id, event, data)

    def ping_webhook(self, hook: Webhook) -> int:
        """Ping on a webhook thread; the delivery row id."""
        return self.webhooks.ping(hook)

    def forward_live_event(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """``clip_created`` → ``clip.created`` webhooks."""
        self.webhooks.forward_live_event(user_ids, event)

    def queue_depth(self) -> int:
        """Segments waiting for the pipeline."""
        return self.segments.queue_depth() if self.segments is not None else 0

    def processing_lag(self, stream_id: int) -> float:
        """The stream's processing lag (seconds)."""
        return self.segments.processing_lag(stream_id) if self.segments is not None else 0.0

    def stream_jobs_pending(self, stream_id: int) -> bool:
        """The stream's segments queued or running, or its final pass owed or running."""
        return self.segments is not None and self.segments.stream_pending(stream_id)
