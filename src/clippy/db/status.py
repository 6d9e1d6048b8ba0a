"""The values of every status column, as ``StrEnum`` so a typo is a mypy error.

The columns stay plain strings (no migration): a ``StrEnum`` member is its value, so it
binds, compares and serialises as the string the rows already hold. Sets of states that
code asks about as a group ("still active") are defined here once.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "EXPORT_ACTIVE",
    "RECORDING_ACTIVE",
    "SEGMENT_UNFINISHED",
    "ClipStatus",
    "DeliveryStatus",
    "ExportStatus",
    "InviteStatus",
    "RecordingStatus",
    "SegmentStatus",
    "SegmentTier",
    "StreamStatus",
]


class StreamStatus(StrEnum):
    """``Stream.status``."""

    LIVE = "live"
    ENDED = "ended"


class SegmentStatus(StrEnum):
    """``Segment.status``: where a segment is in the pipeline."""

    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class SegmentTier(StrEnum):
    """``Segment.tier``: hot (inside the hot window) or cold. The cold tier's stored value
    is ``"archive"`` from before the archive *browser* took that name."""

    HOT = "hot"
    COLD = "archive"


class ClipStatus(StrEnum):
    """``Clip.status``."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ExportStatus(StrEnum):
    """``ExportJob.status``."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELED = "canceled"


class DeliveryStatus(StrEnum):
    """``WebhookDelivery.status``."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class InviteStatus(StrEnum):
    """``TeamInvite.status``."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


# A job the export queue still owns (it may be rendering it): not to be deleted or retried.
EXPORT_ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)
# A segment the pipeline has not finished with (it is re-queued at start).
SEGMENT_UNFINISHED = (SegmentStatus.PENDING, SegmentStatus.PROCESSING)


class RecordingStatus(StrEnum):
    """``Recording.status``: a channel recording or a video import."""

    STARTING = "starting"
    RECORDING = "recording"  # segments are coming in
    RECONNECTING = "reconnecting"  # the source dropped; trying again
    ENDED = "ended"  # the source ended (playlist end, channel offline, import done)
    STOPPED = "stopped"  # stopped by its owner
    FAILED = "failed"  # refused (quota) or the source could not be read


RECORDING_ACTIVE = frozenset(
    {RecordingStatus.STARTING, RecordingStatus.RECORDING, RecordingStatus.RECONNECTING}
)
