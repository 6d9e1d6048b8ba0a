"""The publish loop: wake every ``check_seconds``, run ``publish_one`` for each due
publication (in a thread: uploads block), and stop when told.

Publishing is a plain function of a publication id, so moving it onto a job layer means
deferring ``publish_one(id)`` jobs instead of running this loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from clippy.publish.publisher import Publisher, due_publications

__all__ = ["run_publish_loop"]

log = logging.getLogger(__name__)


async def run_publish_loop(publisher: Publisher, stop: asyncio.Event) -> None:
    """Publish what is due until ``stop`` is set; one failure never ends the loop."""
    interval = publisher.config.check_seconds
    while not stop.is_set():
        try:
            with publisher.session_factory() as session:
                due = due_publications(session)
            for pid in due:
                if stop.is_set():
                    break
                await asyncio.to_thread(publisher.publish_one, pid)
        except Exception:  # keep publishing after a bad row or a database hiccup
            log.exception("publish loop")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
