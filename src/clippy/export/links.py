"""Signed links to an export job's files, once it has them."""

from __future__ import annotations

from clippy.clips import MediaLinks
from clippy.db import ExportJob, ExportStatus

__all__ = ["FILE_KINDS", "export_file_links"]

FILE_KINDS = ("main", "srt", "vtt")


def export_file_links(job: ExportJob, links: MediaLinks, ttl: int) -> dict[str, str | None]:
    """A signed link per file kind (``main``, ``srt``, ``vtt``) valid for ``ttl`` seconds;
    ``None`` for a kind the job has not made (or every kind, until the job is done)."""
    done = job.status == ExportStatus.DONE and job.result_key is not None
    return {
        kind: links.export(job.id, kind, ttl)
        if done and (kind == "main" or kind in job.result)
        else None
        for kind in FILE_KINDS
    }
