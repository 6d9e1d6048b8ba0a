"""The rows of an exports list (the exports page and the clip page's exports block)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from clippy.db import ExportJob
from clippy.export import PRESETS, export_file_links
from clippy.web.deps import get_ctx

__all__ = ["export_rows"]


def export_rows(request: Request, jobs: list[ExportJob]) -> list[dict[str, Any]]:
    """What the exports list shows per job: preset label, status, progress, download link."""
    ctx = get_ctx(request)
    rows = []
    for job in jobs:
        files = export_file_links(job, ctx.links, ctx.settings.export_link_seconds)
        names = job.options.get("presets", []) if job.kind == "batch" else [job.preset]
        rows.append(
            {
                "id": job.id,
                "kind": job.kind,
                "label": ", ".join(PRESETS[n].label if n in PRESETS else n for n in names),
                "clip_id": job.clip_id,
                "clips": len(job.options.get("clip_ids", [])) if job.kind == "batch" else 1,
                "status": job.status,
                "percent": round(100 * job.progress),
                "error": job.error,
                "size": job.result_size,
                "created_at": job.created_at,
                "download_url": files["main"],
                "srt_url": files["srt"],
            }
        )
    return rows
