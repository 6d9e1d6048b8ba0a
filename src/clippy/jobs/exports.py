"""Embedded backend: export attempts on a fixed number of threads, with cancel and retry.

Each render already uses every core (x264 threads), so the default is one at a time; more
threads only add memory. On start, jobs left queued or running by a previous process are
queued again (the row is the truth, the queue holds only ids). The attempt itself is the plain
step ``clippy.export.attempt_export``.
"""

from __future__ import annotations

import logging
import queue
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clippy.clips import MediaLinks
from clippy.export import (
    ExportConfig,
    attempt_export,
    completed_webhook,
    export_event,
    requeue_unfinished,
)
from clippy.storage import ObjectStore

__all__ = ["ExportThreads"]

log = logging.getLogger(__name__)

Publish = Callable[[int, dict[str, Any]], None]
SendWebhook = Callable[[int, str, dict[str, Any]], None]


class ExportThreads:
    """Runs export jobs on ``concurrency`` threads."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: ObjectStore,
        links: MediaLinks,
        config: ExportConfig,
        publish: Publish | None = None,
        send_webhook: SendWebhook | None = None,
    ) -> None:
        self.session_factory, self.store, self.links, self.config = (
            session_factory,
            store,
            links,
            config,
        )
        self.publish = publish
        self.send_webhook = send_webhook
        self._ids: queue.Queue[int | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._cancels: dict[int, threading.Event] = {}
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._timers: list[threading.Timer] = []
        self._stopping = threading.Event()

    def start(self) -> None:
        """Start the workers and queue again whatever an earlier process left unfinished."""
        ids = requeue_unfinished(self.session_factory)
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

    def _attempt(self, job_id: int) -> None:
        cancel = threading.Event()
        with self._lock:
            self._cancels[job_id] = cancel

        def started(proc: subprocess.Popen[bytes]) -> None:
            with self._lock:
                self._procs[job_id] = proc

        try:
            outcome = attempt_export(
                self.session_factory,
                self.store,
                job_id,
                self.config,
                cancel,
                stopping=self._stopping.is_set,
                on_start=started,
                on_progress=lambda f: self._event(job_id, "export_progress", progress=f),
            )
        finally:
            with self._lock:
                self._cancels.pop(job_id, None)
                self._procs.pop(job_id, None)
        if outcome.result == "done":
            self._event(job_id, "export_completed", progress=1.0)
            found = completed_webhook(self.session_factory, self.links, self.config, job_id)
            if found is not None and self.send_webhook is not None:
                self.send_webhook(found[0], "export.completed", found[1])
        elif outcome.result == "retry" and not self._stopping.is_set():
            timer = threading.Timer(self.config.retry_seconds, self.submit, args=(job_id,))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        elif outcome.result in ("retry", "failed"):
            self._event(job_id, "export_failed", error=outcome.error)

    def _event(self, job_id: int, kind: str, **data: Any) -> None:
        if self.publish is None:
            return
        found = export_event(self.session_factory, job_id, kind, **data)
        if found is not None:
            self.publish(*found)
