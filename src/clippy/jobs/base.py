"""The one interface for deferring background work, whichever backend runs it.

Callers (ingest, the API, pages, the event hub) hand over ids; the row each id names is the
source of truth, so every step is safe to run twice. ``embedded`` runs the steps in this
process; ``procrastinate`` stores jobs in PostgreSQL for ``clippy worker`` processes.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from clippy.clips import MediaLinks
from clippy.config import Settings
from clippy.db import Webhook
from clippy.events import EventHub
from clippy.publish import Publisher
from clippy.storage import ObjectStore

__all__ = ["JobParts", "Jobs"]


class JobParts(Protocol):
    """What the job layer needs from the process (``clippy.runtime.Runtime`` has it all)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    store: ObjectStore
    hub: EventHub
    links: MediaLinks
    publisher: Publisher


class Jobs(Protocol):
    """Deferring work: every method returns at once; the work happens in the background."""

    backend: str

    async def start(self) -> None:
        """Start running jobs (if this process runs any) and recover unfinished work."""

    async def stop(self) -> None:
        """Stop; work not done stays recorded and is picked up again later."""

    def before_segment_commit(
        self, session: Session, segment_id: int, stream_id: int, plan: str
    ) -> None:
        """Called inside the transaction that stores a segment's row (a durable queue defers
        the segment's job there, so an acknowledged segment always has its job)."""

    def segment_stored(self, segment_id: int, stream_id: int, plan: str) -> None:
        """A segment's row is committed: process it (on the event loop's thread)."""

    def stream_finished(self, stream_id: int) -> None:
        """The stream ended: a final detection pass once its segments are processed."""

    def stream_resumed(self, stream_id: int) -> None:
        """The stream started again: no final pass is owed any more."""

    def export_queued(self, job_id: int) -> None:
        """An export row was (re)queued: render it."""

    def export_canceled(self, job_id: int) -> None:
        """An export was marked canceled: stop its render if one runs."""

    def publication_queued(self, publication_id: int) -> None:
        """A publication was committed: publish it once due (a periodic sweep finds every
        due publication too: scheduled ones, retries, and any whose call here was lost)."""

    def send_webhook(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        """Deliver ``event`` to the subscribed webhooks of ``user_id``."""

    def ping_webhook(self, hook: Webhook) -> int:
        """Send a test ``ping`` to ``hook``; returns the delivery row's id."""

    def forward_live_event(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """Event hub listener: live events that are also webhooks go out as webhooks."""

    def queue_depth(self) -> int:
        """Segments waiting for the pipeline (all streams)."""

    def processing_lag(self, stream_id: int) -> float:
        """Seconds the stream's oldest unprocessed segment has waited (0 when none)."""

    def stream_jobs_pending(self, stream_id: int) -> bool:
        """Whether any of the stream's segment jobs or its final detection pass is still
        waiting or running (``clippy record`` exits only once this is ``False``). Call it on
        the event loop's thread; the procrastinate backend reads its job table (one query)."""
