"""Render one export: sample faces if following, write the ASS layer and sidecars, run ffmpeg."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clippy.export.ass import ass_document
from clippy.export.captions import (
    CaptionLine,
    edited_lines,
    group_lines,
    srt,
    vtt,
    words_on_timeline,
)
from clippy.export.facecam import detect_facecam
from clippy.export.graph import GraphSpec, filter_graph
from clippy.export.plan import ExportPlan
from clippy.export.progress import ProgressFn, run_with_progress
from clippy.export.reframe import region_rect, window_size
from clippy.export.track import crop_x_expression, detect_faces, simplify, smooth_path
from clippy.media.probe import probe
from clippy.media.source import media_input

# veryfast: at 1080x1920 on two cores "medium" renders ~3x slower for a file ~10 % smaller;
# the platforms re-encode uploads anyway.
VIDEO_ARGS = [
    *("-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-profile:v", "high"),
    *("-pix_fmt", "yuv420p", "-r", "30", "-fps_mode", "cfr"),
]
AUDIO_ARGS = ["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"]


@dataclass
class RenderResult:
    """The files of one export and what was decided on the way."""

    video: Path
    ass: Path
    srt: Path | None
    vtt: Path | None
    lines: list[CaptionLine]
    crop_path: list[tuple[float, float]] | None
    graph: str
    layout: str  # the reframe mode used (split falls back to fit without a facecam)
    branded: bool = False  # whether the user's logo was burned in


def export_args(
    source: Path, graph_file: Path, out: Path, logo_file: Path | None = None
) -> list[str]:
    """ffmpeg arguments (after the global ones) that render ``source`` (with ``logo_file``
    as input 1 when branded) through the graph in ``graph_file`` into a faststart MP4."""
    logo = media_input(logo_file, "png").input_args() if logo_file is not None else []
    return [
        *media_input(source).input_args(),
        *(*logo, "-filter_complex_script", str(graph_file)),
        *("-map", "[vout]", "-map", "[aout]", *VIDEO_ARGS, *AUDIO_ARGS),
        *("-movflags", "+faststart", str(out)),
    ]


def build_graph(
    source: Path,
    plan: ExportPlan,
    words: Iterable[dict[str, Any]],
    video_region: dict[str, Any] | None,
    work: Path,
    edited: Sequence[dict[str, Any]] | None = None,
    branded: bool = False,
    sample_until: float | None = None,
) -> tuple[GraphSpec, list[CaptionLine], list[tuple[float, float]] | None]:
    """Decide the crop (tracking faces when asked), write ``work``/export.ass, and return
    the graph spec with the caption lines and the crop path (follow mode). ``edited``
    caption lines (from the clip editor) replace the transcript's words when given;
    ``branded`` overlays the plan's logo (its image being ffmpeg input 1); ``sample_until``
    looks for faces in the clip's first seconds only (enough for a preview of its start)."""
    work.mkdir(parents=True, exist_ok=True)
    info = probe(source)
    if not info.width or not info.height:
        raise ValueError(f"{source.name} has no video stream")
    opts = plan.options
    area = region_rect(video_region, info.width, info.height)
    crop_x, path = None, None
    if opts.reframe == "follow":
        win_w, _ = window_size(area, plan.width, plan.height)
        path = smooth_path(detect_faces(source, area, until=sample_until), area, win_w)
        crop_x = crop_x_expression(simplify(path))
    mode = opts.reframe
    facecam = region_rect(opts.facecam, info.width, info.height) if opts.facecam else None
    if mode == "split" and facecam is None:
        facecam = detect_facecam(source, area, until=sample_until)
        if facecam is None:
            # No steady face to put on top: show the whole picture rather than fail.
            mode = "fit"
    if not opts.captions:
        lines = []
    elif edited is not None:
        lines = edited_lines(edited, plan.timeline)
    else:
        lines = group_lines(words_on_timeline(words, plan.timeline), opts.max_words)
    ass = work / "export.ass"
    ass.write_text(
        ass_document(
            plan.width,
            plan.height,
            lines,
            style=opts.caption_style,
            position=opts.caption_position,
            watermark=plan.watermark,
            overlays=plan.overlays,
            duration=plan.timeline.duration,
        ),
        encoding="utf-8",
    )
    spec = GraphSpec(
        area=area,
        out_w=plan.width,
        out_h=plan.height,
        timeline=plan.timeline,
        mode=mode,
        fill=opts.fill,
        crop_x=crop_x,
        facecam=facecam,
        ass_path=ass,
        logo=plan.logo if branded else None,
    )
    return spec, lines, path


def render_export(
    source: Path,
    plan: ExportPlan,
    words: Iterable[dict[str, Any]],
    video_region: dict[str, Any] | None,
    work: Path,
    *,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
    edited: Sequence[dict[str, Any]] | None = None,
    logo_file: Path | None = None,
) -> RenderResult:
    """Render ``source`` (a clip MP4) per ``plan`` into ``work``/export.mp4 plus sidecars;
    ``logo_file`` is the PNG of ``plan.logo`` (without it the export is unbranded)."""
    if plan.logo is None:
        logo_file = None
    branded = logo_file is not None
    spec, lines, path = build_graph(source, plan, words, video_region, work, edited, branded)
    graph = filter_graph(spec)
    graph_file = work / "graph.txt"
    graph_file.write_text(graph, encoding="utf-8")
    out = work / "export.mp4"
    run_with_progress(
        export_args(source, graph_file, out, logo_file),
        plan.timeline.duration,
        on_progress,
        cancel,
        on_start=on_start,
    )
    srt_path = vtt_path = None
    if lines:
        srt_path, vtt_path = work / "export.srt", work / "export.vtt"
        srt_path.write_text(srt(lines), encoding="utf-8")
        vtt_path.write_text(vtt(lines), encoding="utf-8")
    assert spec.ass_path is not None
    return RenderResult(
        out, spec.ass_path, srt_path, vtt_path, lines, path, graph, spec.mode, branded
    )


__all__ = ["RenderResult", "build_graph", "export_args", "render_export"]
