"""The archive browser: a stream's retained recording as a timeline, previews and thumbnails.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.archive.hls import hls_playlist, player_map
from clippy.archive.loudness import LoudnessCache
from clippy.archive.media import (
    ArchiveMediaMissing,
    archive_thumbnail,
    find_window,
    precompute_thumbnails,
    preview_video,
    prune_archive_cache,
    stored_spans,
)
from clippy.archive.timeline import (
    loudness_points,
    overview_bands,
    peak_downsample,
    plan_view,
    preview_windows,
    thumb_step,
    thumb_times,
)

__all__ = [
    "ArchiveMediaMissing",
    "LoudnessCache",
    "archive_thumbnail",
    "find_window",
    "hls_playlist",
    "loudness_points",
    "overview_bands",
    "peak_downsample",
    "plan_view",
    "player_map",
    "precompute_thumbnails",
    "preview_video",
    "preview_windows",
    "prune_archive_cache",
    "stored_spans",
    "thumb_step",
    "thumb_times",
]
