"""Media paths from the routes that serve them (``url_path_for``), signed by ``MediaLinks``."""

from __future__ import annotations

from clippy.clips import MediaLinks

__all__ = ["media_links"]


def media_links(secret: str) -> MediaLinks:
    """Signed links to clip files, thumbnails and export downloads, with the API's paths."""
    from clippy.web.api import clips, exports

    def clip_path(clip_id: int, kind: str) -> str:
        return str(clips.router.url_path_for(f"clip_{kind}", clip_id=str(clip_id)))

    def export_path(job_id: int, kind: str) -> str:
        return str(exports.router.url_path_for("export_file", job_id=str(job_id), kind=kind))

    return MediaLinks(secret, clip_path, export_path)
