"""Frame-accurate, fast clip cutting from mezzanine segments (smart cut).

Mezzanine parts are H.264 at a constant 30 fps with a keyframe every second starting at 0
(see ``mezzanine``). For each requested range the whole GOPs inside it are stream-copied and
only the partial GOPs at its two edges (under a second each) are re-encoded with the same
encoder settings; the pieces are joined by ffmpeg's concat demuxer into one faststart MP4.
``plan_cut`` is the pure planning step; ``cut_clip`` runs it.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clippy.errors import MediaError
from clippy.media.ffmpeg import ffmpeg, ffmpeg_parallel
from clippy.media.mezzanine import (
    AUDIO_CODEC_ARGS,
    AUDIO_OFFSET,
    AUDIO_RATE,
    GOP_SECONDS,
    MEZZANINE_FPS,
    VIDEO_CODEC_ARGS,
)
from clippy.media.probe import probe
from clippy.media.source import MediaSource, media_input

_EPS = 1e-6
# MediaRecorder restarts leave small holes between segments; a clip simply skips them (it
# comes out that much shorter). A longer hole means the recording really is missing.
MAX_GAP_SECONDS = 0.5


class CutError(MediaError, ValueError):
    """The requested ranges cannot be cut from the given parts."""


@dataclass(frozen=True)
class SourcePart:
    """A mezzanine segment and where it sits in stream time."""

    path: Path
    start_time: float
    duration: float

    @property
    def end_time(self) -> float:
        return self.start_time + self.duration


@dataclass(frozen=True)
class Piece:
    """One piece of the output: part ``part`` from ``t0`` to ``t1`` (part-local seconds)."""

    part: int
    t0: float
    t1: float
    copy: bool  # True: stream copy whole GOPs; False: re-encode

    @property
    def duration(self) -> float:
        return self.t1 - self.t0


@dataclass(frozen=True)
class CutResult:
    """The written clip."""

    path: Path
    duration: float
    pieces: int
    copied_seconds: float


def _frame(t: float, fps: int = MEZZANINE_FPS) -> float:
    return round(t * fps) / fps


def plan_cut(
    parts: Sequence[SourcePart],
    ranges: Sequence[tuple[float, float]],
    *,
    gop: float = GOP_SECONDS,
    fps: int = MEZZANINE_FPS,
    max_gap: float = MAX_GAP_SECONDS,
) -> list[Piece]:
    """Which pieces to copy or re-encode for ``ranges`` (stream time), in output order.

    Times snap to the frame grid. Holes between parts up to ``max_gap`` are skipped; a range
    not covered otherwise raises ``CutError`` naming the missing span.
    """
    gap = max(max_gap, 1 / fps)
    if not ranges:
        raise CutError("no ranges to cut")
    ordered = sorted(enumerate(parts), key=lambda ip: ip[1].start_time)
    pieces: list[Piece] = []
    for start, end in ranges:
        s, e = _frame(start, fps), _frame(end, fps)
        if e - s < 1 / fps - _EPS:
            raise CutError(f"range {start:.3f}-{end:.3f} s is shorter than one frame")
        covered = s
        for idx, part in ordered:
            if part.end_time <= covered + _EPS or part.start_time >= e - _EPS:
                continue
            if part.start_time > covered + gap:
                raise CutError(f"no recording between {covered:.2f} s and {part.start_time:.2f} s")
            # Start where the previous part stopped, so overlapping parts never repeat frames.
            a = _frame(max(covered, part.start_time) - part.start_time, fps)
            b = _frame(min(e, part.end_time) - part.start_time, fps)
            if b - a < 1 / fps - _EPS:
                continue
            pieces.extend(_split(idx, a, b, part.duration, gop))
            covered = part.start_time + b
        if covered < e - gap:
            raise CutError(f"no recording between {covered:.2f} s and {e:.2f} s")
    return [p for p in pieces if p.duration > _EPS]


def _split(idx: int, a: float, b: float, part_duration: float, gop: float) -> list[Piece]:
    k1 = math.ceil(a / gop - _EPS) * gop
    to_end = b >= _frame(part_duration) - _EPS
    k2 = b if to_end else math.floor(b / gop + _EPS) * gop
    if k2 - k1 < gop - _EPS and not (to_end and k2 > k1):
        return [Piece(idx, a, b, copy=False)]
    out = []
    if a < k1 - _EPS:
        out.append(Piece(idx, a, k1, copy=False))
    out.append(Piece(idx, k1, k2, copy=True))
    if k2 < b - _EPS:
        out.append(Piece(idx, k2, b, copy=False))
    return out


def cut_clip(
    parts: Sequence[SourcePart], ranges: Sequence[tuple[float, float]], out: Path
) -> CutResult:
    """Cut ``ranges`` (stream time, joined in order) from ``parts`` into a faststart MP4.

    The clip is H.264 + AAC, as long as the ranges within a frame (less any skipped holes).
    Raises ``CutError`` for ranges the parts do not cover, ``FFmpegError`` if ffmpeg fails.
    """
    pieces = plan_cut(parts, ranges)
    with tempfile.TemporaryDirectory(prefix="clippy-pieces-") as tmp_dir:
        tmp = Path(tmp_dir)
        jobs: list[list[str]] = []
        # The concat demuxer ends a file at its outpoint as soon as *any* stream reaches it,
        # and MPEG-TS delivers audio ~40 ms ahead of video, so copying straight from the A/V
        # mezzanine lost the last frame of every piece (measured). Copy from video-only
        # remuxes of the parts instead; a remux is a cheap stream copy.
        video_only = {
            idx: tmp / f"video{idx:03d}.ts" for idx in sorted({p.part for p in pieces if p.copy})
        }
        if video_only:
            jobs.append(_video_only_args({parts[i].path: out for i, out in video_only.items()}))
        entries: list[tuple[Path, list[str]]] = []
        for i, piece in enumerate(pieces):
            if piece.copy:
                entries.append(
                    (
                        video_only[piece.part],
                        [f"inpoint {piece.t0:.6f}", f"outpoint {piece.t1:.6f}"],
                    )
                )
            else:
                encoded = tmp / f"edge{i:03d}.ts"
                jobs.append(_edge_args(parts[piece.part].path, piece, encoded))
                entries.append((encoded, []))
        audio = tmp / "audio.m4a"
        jobs.append(_audio_args(parts, pieces, audio))
        # All jobs are independent; the AAC encode of the whole range dominates and running
        # them side by side hides the edge encodes behind it.
        ffmpeg_parallel(jobs, what="clip encode")
        listing = tmp / "pieces.txt"
        listing.write_text(_concat_listing(entries))
        ffmpeg(
            [
                *("-safe", "0", *media_input(listing, "concat").input_args()),
                *media_input(audio).input_args(),
                *("-map", "0:v:0", "-map", "1:a:0", "-c", "copy"),
                *("-movflags", "+faststart", "-f", "mp4", str(out)),
            ],
            what="clip assembly",
        )
    # Frame-accurate by construction (tests hold it to that), so no ffprobe run is needed.
    duration = sum(p.duration for p in pieces)
    copied = sum(p.duration for p in pieces if p.copy)
    return CutResult(path=out, duration=duration, pieces=len(pieces), copied_seconds=copied)


def _concat_listing(entries: Sequence[tuple[Path, list[str]]]) -> str:
    lines: list[str] = []
    for path, directives in entries:
        # An edge past a part's last frame (its declared duration can exceed the real one by
        # a frame) encodes nothing and ffmpeg writes no file: leave it out.
        if not path.exists() or path.stat().st_size == 0:
            continue
        lines += [f"file '{_quote(path)}'", *directives]
    return "\n".join(lines) + "\n"


def _video_only_args(outputs: dict[Path, Path]) -> list[str]:
    """One ffmpeg run that stream-copies each source's video to its own MPEG-TS output.

    One process for all parts: each ffmpeg start costs ~0.07 s of CPU, the copy itself less.
    muxdelay 0 keeps timestamps exactly as in the mezzanine (keyframes on whole seconds).
    """
    args: list[str] = []
    for src in outputs:
        args += media_input(src).input_args()
    for n, out in enumerate(outputs.values()):
        args += ["-map", f"{n}:v:0", "-c", "copy", "-muxdelay", "0", "-muxpreload", "0"]
        args += ["-f", "mpegts", str(out)]
    return args


def _edge_args(src: Path, piece: Piece, out: Path, gop: float = GOP_SECONDS) -> list[str]:
    """ffmpeg arguments that re-encode ``piece`` of ``src`` to an MPEG-TS file ``out``.

    MPEG-TS seeking is a timestamp bisection that can land mid-GOP; the decoder then skips
    to the *next* keyframe, so seeking straight to ``t0`` lost up to a GOP of frames
    (measured: ``-ss 3.5`` started decoding at 4.0). Seeking a little before the GOP's own
    keyframe guarantees that keyframe is decoded; an output-side ``-ss`` then drops the
    frames before ``t0`` exactly.
    """
    keyframe = math.floor(piece.t0 / gop + _EPS) * gop
    seek = max(0.0, keyframe - 0.25 * gop)
    return [
        *("-ss", f"{seek:.6f}", *media_input(src).input_args()),
        *("-ss", f"{piece.t0 - seek:.6f}", "-t", f"{piece.duration:.6f}"),
        *("-map", "0:v:0", *VIDEO_CODEC_ARGS),
        *("-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", str(out)),
    ]


def _audio_args(parts: Sequence[SourcePart], pieces: Sequence[Piece], out: Path) -> list[str]:
    """ffmpeg arguments that encode the clip's audio, piece by piece, to AAC in ``out``."""
    inputs, graph = _audio_graph(parts, pieces)
    return [*inputs, "-filter_complex", graph, "-map", "[a]", *AUDIO_CODEC_ARGS, str(out)]


def _audio_graph(parts: Sequence[SourcePart], pieces: Sequence[Piece]) -> tuple[list[str], str]:
    """Inputs and filter that build the clip's audio, piece by piece, from the mezzanines."""
    args: list[str] = []
    labels: list[str] = []
    merged = _merge_adjacent(pieces)
    for n, (part_idx, t0, t1) in enumerate(merged):
        part = parts[part_idx]
        dur = t1 - t0
        # Mezzanine audio for stream time t sits at t + AUDIO_OFFSET (see mezzanine).
        args += ["-ss", f"{t0 + AUDIO_OFFSET:.6f}", "-t", f"{dur:.6f}"]
        args += media_input(part.path).input_args()
        # Resample and pad/trim every piece to its exact video length so A/V stay in step.
        labels.append(
            f"[{n}:a:0]aresample={AUDIO_RATE},aformat=channel_layouts=stereo,"
            f"apad,atrim=0:{dur:.6f},asetpts=PTS-STARTPTS[a{n}]"
        )
    inputs = "".join(f"[a{n}]" for n in range(len(merged)))
    graph = ";".join(labels) + f";{inputs}concat=n={len(merged)}:v=0:a=1[a]"
    return args, graph


def _merge_adjacent(pieces: Sequence[Piece]) -> list[tuple[int, float, float]]:
    out: list[tuple[int, float, float]] = []
    for p in pieces:
        if out and out[-1][0] == p.part and abs(out[-1][2] - p.t0) < _EPS:
            out[-1] = (p.part, out[-1][1], p.t1)
        else:
            out.append((p.part, p.t0, p.t1))
    return out


def encode_range(
    src: Path | MediaSource, start: float, end: float, out: Path, *, max_height: int = 1080
) -> float:
    """Re-encode ``[start, end)`` of any input file or URL to an H.264/AAC MP4 (frame-accurate).

    Used for recordings that have no mezzanine (``clippy process``); returns the duration.
    """
    ffmpeg(
        [
            "-ss",
            f"{start:.6f}",
            *media_input(src).input_args(),
            "-t",
            f"{end - start:.6f}",
            "-map",
            "0:v:0?",
            "-map",
            "0:a:0?",
            "-vf",
            f"scale=-2:'min({max_height},ih)',setsar=1",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "21",
            "-pix_fmt",
            "yuv420p",
            *AUDIO_CODEC_ARGS,
            "-movflags",
            "+faststart",
            str(out),
        ],
        what="clip encode",
    )
    return probe(out).duration


def _quote(path: Path) -> str:
    # concat demuxer syntax: single quotes, with embedded ones escaped as '\''
    return str(path.resolve()).replace("'", "'\\''")
