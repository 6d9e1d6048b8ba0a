"""The publishing sweep: publish every due publication once (uploads block: call it off the
event loop). The job layer runs it periodically (``clippy.jobs``); a publication is a plain
function of its id (``Publisher.publish_one``), so a worker may also publish one as its own
job, and the lease on the row keeps two attempts apart."""

from __future__ import annotations

import logging
from collections.abc import Callable

from clippy.publish.publisher import Publisher, due_publications

__all__ = ["publish_due"]

log = logging.getLogger(__name__)


def publish_due(publisher: Publisher, stopping: Callable[[], bool] = lambda: False) -> int:
    """One attempt at each publication due now (until ``stopping()``); how many were tried.
    One bad publication never keeps the others from their turn."""
    with publisher.session_factory() as session:
        due = due_publications(session)
    tried = 0
    for pid in due:
        if stopping():
            break
        try:
            publisher.publish_one(pid)
        except Exception:  # publish_one records platform errors; this is a database hiccup
            log.exception("publication %s", pid)
        tried += 1
    return tried
