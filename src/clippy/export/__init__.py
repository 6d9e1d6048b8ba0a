"""Platform exports: presets, reframing, captions, rendering, export attempts and batches.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.export.attempts import (
    ExportConfig,
    ExportOutcome,
    attempt_export,
    completed_webhook,
    export_event,
    reclaim_export,
    requeue_unfinished,
)
from clippy.export.clip_layout import clip_frame, preview_export, remember_layout
from clippy.export.clip_layout import clip_layout as starting_layout
from clippy.export.expiry import expire_exports
from clippy.export.history import exported_clip_ids, exports_per_platform
from clippy.export.jobs import (
    BatchProblem,
    check_batch,
    create_batch,
    create_export,
    exporters_may_see,
    list_exports,
    mark_canceled,
    mark_for_retry,
    queue_batch,
    visible_export,
)
from clippy.export.layouts import LAYOUT_LABELS, POSITION_LABELS, Layout, aspect_label, parse_layout
from clippy.export.links import export_file_links
from clippy.export.plan import ExportOptions
from clippy.export.presets import PRESETS, ExportRefused, get_preset
from clippy.export.transcript_formats import render as render_transcript

__all__ = [
    "LAYOUT_LABELS",
    "POSITION_LABELS",
    "PRESETS",
    "BatchProblem",
    "ExportConfig",
    "ExportOptions",
    "ExportOutcome",
    "ExportRefused",
    "Layout",
    "aspect_label",
    "attempt_export",
    "check_batch",
    "clip_frame",
    "completed_webhook",
    "create_batch",
    "create_export",
    "expire_exports",
    "export_event",
    "export_file_links",
    "exported_clip_ids",
    "exporters_may_see",
    "exports_per_platform",
    "get_preset",
    "list_exports",
    "mark_canceled",
    "mark_for_retry",
    "parse_layout",
    "preview_export",
    "queue_batch",
    "reclaim_export",
    "remember_layout",
    "render_transcript",
    "requeue_unfinished",
    "starting_layout",
    "visible_export",
]
