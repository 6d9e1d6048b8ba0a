"""The export queue: a fixed number of worker threads taking job ids, with cancel and retry.

Each render already uses every core (x264 threads), so the default is one at a time; more
workers only add memory. On start, jobs left queued or running by a previous process are
queued again (the row is the truth, the queue holds only ids).
"""

from __future__ import annotations

import logging
import queue
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.clips import MediaLinks
from clippy.db import EXPORT_ACTIVE, ExportJob, ExportStatus, utcnow
from clippy.export.progress import RenderCanceled
from clippy.export.worker import run_job
from clippy.storage import ObjectStore
from clippy.webhooks import WebhookSender

log = logging.getLogger(__name__)

Publish = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True)
class QueueConfig:
    """The queue's knobs (from ``Settings``)."""

    concurrency: int = 1
    max_attempts: int = 2
    retry_seconds: float = 2.0
    link_seconds: int = 24 * 3600
    public_url: str = ""


class ExportQueue:
    """Runs export jobs on ``concurrency`` threads."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: ObjectStore,
        links: MediaLinks,
        config: QueueConfig,
        publish: Publish | None = None,
        webhooks: WebhookSender | None = None,
    ) -> None:
        self.session_factory, self.store, self.links, self.config = (
            session_factory,
            store,
            links,
            config,
        )
        self.publish = publish
        self.webhooks = webhooks
        self._ids: queue.Queue[int | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._cancels: dict[int, threading.Event] = {}
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._timers: list[threading.Timer] = []
        self._stopping = threading.Event()

    def start(self) -> None:
        """Start the workers and queue again whatever an earlier process left unfinished."""
        with self.session_factory() as session:
            left = list(
                session.scalars(select(ExportJob).where(ExportJob.status.in_(EXPORT_ACTIVE)))
            )
            for job in left:
                job.status = ExportStatus.QUEUED
            session.commit()
            ids = [j.id for j in sorted(left, key=lambda j: j.id)]
        for k in range(self.config.concurrency):
            t = threading.Thread(target=self._work, name=f"export-{k}", daemon=True)
            t.start()
            self._threads.append(t)
        for job_id in ids:
            self.submit(job_id)

    def stop(self) -> None:
        """Kill running renders (their jobs stay queued for the next start) and join."""
        self._stopping.set()
        for timer in self._timers:
            timer.cancel()
        with self._lock:
            for ev in self._cancels.values():
                ev.set()
        for _ in self._threads:
            self._ids.put(None)
        for t in self._threads:
            t.join(timeout=30)

    def submit(self, job_id: int) -> None:
        """Queue job ``job_id`` (its row must be ``queued``)."""
        self._ids.put(job_id)

    def cancel(self, job_id: int) -> None:
        """Kill the job's ffmpeg if it is rendering (the row is marked by the caller)."""
        with self._lock:
            ev = self._cancels.get(job_id)
        if ev is not None:
            ev.set()

    def running_pids(self) -> dict[int, int]:
        """Job id → pid of its ffmpeg, for the renders running now."""
        with self._lock:
            return {j: p.pid for j, p in self._procs.items() if p.poll() is None}

    def _work(self) -> None:
        while True:
            job_id = self._ids.get()
            if job_id is None:
                return
            try:
                self._attempt(job_id)
            except Exception:  # a bug here must not kill the worker thread
                log.exception("export %s: unexpected error", job_id)

    def _claim(self, job_id: int) -> int | None:
        with self.session_factory() as session:
            job = session.get(ExportJob, job_id)
            if job is None or job.status != ExportStatus.QUEUED:
                return None
            job.status = ExportStatus.RUNNING
            job.attempts += 1
            job.started_at = utcnow()
            session.commit()
            return job.attempts

    def _attempt(self, job_id: int) -> None:
        attempt = self._claim(job_id)
        if attempt is None:
            return
        cancel = threading.Event()
        with self._lock:
            self._cancels[job_id] = cancel

        def started(proc: subprocess.Popen[bytes]) -> None:
            with self._lock:
                self._procs[job_id] = proc

        try:
            job = run_job(
                self.session_factory,
                self.store,
                job_id,
                cancel,
                on_start=started,
                on_progress=lambda f: self._event(job_id, "export_progress", progress=f),
            )
        except RenderCanceled:
            if self._stopping.is_set():
                self._requeue_on_stop(job_id)
            return
        except Exception as exc:
            self._failed(job_id, attempt, exc)
            return
        finally:
            with self._lock:
                self._cancels.pop(job_id, None)
                self._procs.pop(job_id, None)
        if job is not None:
            self._event(job_id, "export_completed", progress=1.0)
            self._notify(job)

    def _requeue_on_stop(self, job_id: int) -> None:
        with self.session_factory() as session:
            job = session.get(ExportJob, job_id)
            if job is not None and job.status == ExportStatus.RUNNING:
                job.status = ExportStatus.QUEUED
                job.attempts = max(0, job.attempts - 1)
                session.commit()

    def _failed(self, job_id: int, attempt: int, exc: Exception) -> None:
        reason = str(exc)[:1500] or type(exc).__name__
        retry = attempt < self.config.max_attempts
        with self.session_factory() as session:
            job = session.get(ExportJob, job_id)
            if job is None or job.status != ExportStatus.RUNNING:
                return
            if retry:
                job.status = ExportStatus.QUEUED
                job.error = f"attempt {attempt} failed, retrying: {reason}"
            else:
                job.status = ExportStatus.FAILED
                job.error = f"export failed after {attempt} attempt(s): {reason}"
                job.finished_at = utcnow()
            session.commit()
        log.warning("export %s attempt %d failed: %s", job_id, attempt, reason)
        if retry and not self._stopping.is_set():
            timer = threading.Timer(self.config.retry_seconds, self.submit, args=(job_id,))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        else:
            self._event(job_id, "export_failed", error=reason)

    def _event(self, job_id: int, kind: str, **data: Any) -> None:
        if self.publish is None:
            return
        with self.session_factory() as session:
            job = session.get(ExportJob, job_id)
            if job is not None:
                self.publish(job.user_id, {"type": kind, "export_id": job_id, **data})

    def _notify(self, job: ExportJob) -> None:
        """Send ``export.completed`` to the owner's webhooks (business plan; off this thread)."""
        if self.webhooks is None:
            return
        url = self.config.public_url.rstrip("/") + self.links.export(
            job.id, "main", self.config.link_seconds
        )
        data = {
            "export_id": job.id,
            "kind": job.kind,
            "clip_id": job.clip_id,
            "preset": job.preset,
            "size": job.result_size,
            "download_url": url,
            "expires_in": self.config.link_seconds,
        }
        self.webhooks.send(job.user_id, "export.completed", data)
