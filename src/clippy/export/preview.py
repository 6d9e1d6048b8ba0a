"""A still preview of an export: its first frame, drawn by the same graph as the render.

The preview and the render share ``build_graph`` (crop, facecam, captions, logo); only the
graph's end differs (``still_graph``: one frame, no audio), so what the user approves is
what the render's first frame shows. Faces are looked for in the clip's first seconds only,
which keeps a preview of a long clip under a second or two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clippy.export.facecam import detect_facecam
from clippy.export.graph import still_graph
from clippy.export.plan import ExportPlan
from clippy.export.reframe import Rect, region_rect
from clippy.export.render import build_graph
from clippy.media.ffmpeg import ffmpeg
from clippy.media.probe import probe
from clippy.media.source import media_input
from clippy.media.thumbnail import make_thumbnail

# Enough of the clip to place the first frame's crop: the follow path's smoothing looks
# about 2 s ahead (3 time constants of 0.6 s).
SAMPLE_SECONDS = 6.0


@dataclass(frozen=True)
class Preview:
    """The preview JPEG and the layout actually used (split falls back to fit)."""

    image: Path
    layout: str


def render_preview(
    source: Path,
    plan: ExportPlan,
    words: Iterable[dict[str, Any]],
    video_region: dict[str, Any] | None,
    work: Path,
    *,
    edited: Sequence[dict[str, Any]] | None = None,
    logo_file: Path | None = None,
) -> Preview:
    """Write ``work``/preview.jpg: the first frame of ``render_export`` with the same
    arguments, at the export's size."""
    branded = logo_file is not None and plan.logo is not None
    spec, _, _ = build_graph(
        source, plan, words, video_region, work, edited, branded, sample_until=SAMPLE_SECONDS
    )
    graph_file = work / "preview-graph.txt"
    graph_file.write_text(still_graph(spec), encoding="utf-8")
    out = work / "preview.jpg"
    logo = media_input(logo_file, "png").input_args() if branded and logo_file else []
    ffmpeg(
        [
            *media_input(source).input_args(),
            *(*logo, "-filter_complex_script", str(graph_file)),
            *("-map", "[vout]", "-frames:v", "1", "-an", "-q:v", "3", "-f", "image2", str(out)),
        ],
        what="export preview",
    )
    return Preview(out, spec.mode)


@dataclass(frozen=True)
class SourceFrame:
    """The clip's first frame (for drawing a facecam on) and the facecam found in it, in the
    clip file's pixels."""

    image: Path
    width: int
    height: int
    facecam: Rect | None


def source_frame(
    source: Path, video_region: dict[str, Any] | None, work: Path, width: int = 640
) -> SourceFrame:
    """Write ``work``/frame.jpg (the clip's first frame, ``width`` wide) and look for the
    facecam in the clip's first seconds."""
    work.mkdir(parents=True, exist_ok=True)
    info = probe(source)
    if not info.width or not info.height:
        raise ValueError(f"{source.name} has no video stream")
    image = make_thumbnail(source, 0.0, work / "frame.jpg", width)
    area = region_rect(video_region, info.width, info.height)
    cam = detect_facecam(source, area, until=SAMPLE_SECONDS)
    return SourceFrame(image, info.width, info.height, cam)


__all__ = ["SAMPLE_SECONDS", "Preview", "SourceFrame", "render_preview", "source_frame"]
