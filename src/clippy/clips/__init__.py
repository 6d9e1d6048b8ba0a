"""Clips: creating them from plans or by hand, rendering the cut, listing and deleting.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.clips.announce import announce_clip, clip_urls
from clippy.clips.editing import (
    CAPTION_STYLES,
    CaptionLine,
    clip_captions,
    merge_lines,
    save_captions,
    split_line,
    trim_ranges,
    trimmed_parts,
)
from clippy.clips.expiry import expire_clips
from clippy.clips.gallery import SORTS, GalleryQuery, gallery_page
from clippy.clips.links import MediaLinks, verify_path
from clippy.clips.live import last_seconds
from clippy.clips.make import ClipQuotaExceeded, make_clip, remaining_clips_today
from clippy.clips.mezzanines import ensure_mezzanine
from clippy.clips.render import ClipSourceMissing, open_mezzanines
from clippy.clips.service import (
    STREAM_BAND,
    InvalidRange,
    clip_counts,
    clip_spans,
    clip_titles,
    delete_clip,
    last_clip_times,
    list_clips,
    stream_clip_marks,
    stream_clip_ranges,
    visible_clip,
)
from clippy.clips.stats import analytics, count_download, count_export_download, count_view
from clippy.clips.tags import TagError, parse_tags, set_tags, tags_by_clip, user_tags

__all__ = [
    "CAPTION_STYLES",
    "SORTS",
    "STREAM_BAND",
    "CaptionLine",
    "ClipQuotaExceeded",
    "ClipSourceMissing",
    "GalleryQuery",
    "InvalidRange",
    "MediaLinks",
    "TagError",
    "analytics",
    "announce_clip",
    "clip_captions",
    "clip_counts",
    "clip_spans",
    "clip_titles",
    "clip_urls",
    "count_download",
    "count_export_download",
    "count_view",
    "delete_clip",
    "ensure_mezzanine",
    "expire_clips",
    "gallery_page",
    "last_clip_times",
    "last_seconds",
    "list_clips",
    "make_clip",
    "merge_lines",
    "open_mezzanines",
    "parse_tags",
    "remaining_clips_today",
    "save_captions",
    "set_tags",
    "split_line",
    "stream_clip_marks",
    "stream_clip_ranges",
    "tags_by_clip",
    "trim_ranges",
    "trimmed_parts",
    "user_tags",
    "verify_path",
    "visible_clip",
]
