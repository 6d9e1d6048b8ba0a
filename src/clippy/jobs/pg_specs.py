"""The procrastinate jobs Clippy defers (pure): task names, queues, locks and priorities.

A stream's segment jobs share the lock ``stream:<id>``: procrastinate runs them one at a time
in the order they were deferred (the order segments were stored), and each processes its
segment and then runs detection, so a stream's detection always sees its segments in order
while different streams run in parallel on any worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from clippy.jobs.pg_defer import JobSpec
from clippy.jobs.priority import job_priority
from clippy.webhooks import Delivery

__all__ = [
    "EXPORT",
    "FINAL_DETECT",
    "PUBLISH",
    "PUBLISH_SWEEP",
    "QUEUES",
    "RETENTION",
    "SEGMENT",
    "WEBHOOK_DELIVER",
    "WEBHOOK_FANOUT",
    "export_job",
    "final_detect_job",
    "publish_job",
    "segment_job",
    "stream_lock",
    "webhook_delivery_job",
    "webhook_fanout_job",
]

# Every queue a worker may serve (``clippy worker --queues``). ``transcribe`` is served by
# the segment job today (one job per segment does mezzanine, features and transcript).
QUEUES = ("media", "transcribe", "detect", "export", "publish", "webhooks", "maintenance")

SEGMENT = "clippy.segment"
FINAL_DETECT = "clippy.final_detect"
EXPORT = "clippy.export"
WEBHOOK_FANOUT = "clippy.webhook_fanout"
WEBHOOK_DELIVER = "clippy.webhook_deliver"
RETENTION = "clippy.retention"
PUBLISH = "clippy.publish"
PUBLISH_SWEEP = "clippy.publish_sweep"


def stream_lock(stream_id: int) -> str:
    """The lock that keeps a stream's pipeline jobs in order."""
    return f"stream:{stream_id}"


def segment_job(segment_id: int, stream_id: int, plan: str) -> JobSpec:
    """Process one stored segment, then detect on its stream."""
    return JobSpec(
        SEGMENT,
        "media",
        {"segment_id": segment_id, "stream_id": stream_id, "plan": plan},
        lock=stream_lock(stream_id),
        priority=job_priority(plan),
    )


def final_detect_job(stream_id: int, plan: str) -> JobSpec:
    """The final detection pass of an ended stream, after its segment jobs."""
    return JobSpec(
        FINAL_DETECT,
        "detect",
        {"stream_id": stream_id},
        lock=stream_lock(stream_id),
        queueing_lock=f"final:{stream_id}",
        priority=job_priority(plan),
    )


def export_job(job_id: int, plan: str, delay: float = 0.0) -> JobSpec:
    """One attempt at export ``job_id`` (never two at once for one export)."""
    return JobSpec(
        EXPORT,
        "export",
        {"job_id": job_id},
        lock=f"export:{job_id}",
        queueing_lock=f"export:{job_id}",
        priority=job_priority(plan),
        delay=timedelta(seconds=delay),
    )


def publish_job(publication_id: int, delay: float = 0.0) -> JobSpec:
    """One attempt at publication ``publication_id`` once ``delay`` seconds have passed (its
    scheduled time); one waiting per publication, one running."""
    key = f"publish:{publication_id}"
    return JobSpec(
        PUBLISH,
        "publish",
        {"publication_id": publication_id},
        lock=key,
        queueing_lock=key,
        delay=timedelta(seconds=max(0.0, delay)),
    )


def webhook_fanout_job(user_id: int, event: str, data: dict[str, Any]) -> JobSpec:
    """Open the delivery rows of one event for the owner's webhooks."""
    return JobSpec(WEBHOOK_FANOUT, "webhooks", {"user_id": user_id, "event": event, "data": data})


def webhook_delivery_job(delivery: Delivery) -> JobSpec:
    """Make one logged delivery (with its retries)."""
    return JobSpec(WEBHOOK_DELIVER, "webhooks", delivery.as_args())
