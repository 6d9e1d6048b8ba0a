"""The values of every status column, as ``StrEnum`` so a typo is a mypy error.

The columns stay plain strings (no migration): a ``StrEnum`` member is its value, so it
binds, compares and serialises as the string the rows already hold. Sets of states that
code asks about as a group ("still active") are defined here once.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "EXPORT_ACTIVE",
    "PUBLICATION_OPEN",
    "RECORDING_ACTIVE",
    "SEGMENT_UNFINISHED",
    "ClipStatus",
    "DeliveryStatus",
    "ExportStatus",
    "InviteStatus",
    "PublicationStatus",
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


class PublicationStatus(StrEnum):
    """``Publication.status``: queued (also while scheduled for later or waiting to retry),
    uploading, processing (the platform is still ingesting it), then an end state."""

    QUEUED = "queued"
    UPLOADING = "uploading"
    PROCESSING = "processing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELED = "canceled"


class RecordingStatus(StrEnum):
    """``Recording.status``: a channel recording or a video import."""

    STARTING = "starting"
    RECORDING = "recording"  # segments are coming in
    RECONNECTING = "reconnecting"  # the source dropped; trying again
    ENDED = "ended"  # the source ended (playlist end, channel offline, import done)
    STOPPED = "stopped"  # stopped by its owner
    FAILED = "failed"  # refused (quota) or the source could not be read


# A job the export queue still owns (it may be rendering it): not to be deleted or retried.
EXPORT_ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)
# A segment the pipeline has not finished with (it is re-queued at start).
SEGMENT_UNFINISHED = (SegmentStatus.PENDING, SegmentStatus.PROCESSING)
# A publication the scheduler still works on (may be cancelled, must not be re-posted).
PUBLICATION_OPEN = (
    PublicationStatus.QUEUED,
    PublicationStatus.UPLOADING,
    PublicationStatus.PROCESSING,
)
# A recording whose task should be running (resumed at the next start).
RECORDING_ACTIVE = frozenset(
    {RecordingStatus.STARTING, RecordingStatus.RECORDING, RecordingStatus.RECONNECTING}
)
