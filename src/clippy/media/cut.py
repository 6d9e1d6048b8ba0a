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

from clippy.media.ffmpeg import ffmpeg, ffmpeg_parallel
from clippy.media.mezzanine import (
    AUDIO_CODEC_ARGS,
    AUDIO_RATE,
    GOP_SECONDS,
    MEZZANINE_FPS,
    VIDEO_CODEC_ARGS,
)
from clippy.media.probe import probe

_EPS = 1e-6


class CutError(ValueError):
    """The requested ranges cannot be cut from the given parts."""


@dataclass(frozen=True)
class SourcePart:
    """A mezzanine segment (video), its original (audio source), and its stream time."""

    path: Path
    start_time: float
    duration: float
    audio_path: Path | None = None

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
) -> list[Piece]:
    """Which pieces to copy or re-encode for ``ranges`` (stream time), in output order."""
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
            if part.end_time <= s + _EPS or part.start_time >= e - _EPS:
                continue
            if part.start_time > covered + 1 / fps:
                raise CutError(f"no recording between {covered:.2f} s and {part.start_time:.2f} s")
            a = _frame(max(s, part.start_time) - part.start_time, fps)
            b = _frame(min(e, part.end_time) - part.start_time, fps)
            pieces.extend(_split(idx, a, b, part.duration, gop))
            covered = part.start_time + b
        if covered < e - 1 / fps:
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
    """Cut ``ranges`` (stream time, joined in order) from ``parts`` into an H.264/AAC MP4."""
    pieces = plan_cut(parts, ranges)
    with tempfile.TemporaryDirectory(prefix="clippy-pieces-") as tmp:
        lines: list[str] = []
        edges: list[list[str]] = []
        encoded_pieces: list[Path] = []
        line_of: dict[Path, int] = {}
        for i, piece in enumerate(pieces):
            src = parts[piece.part].path
            if piece.copy:
                lines += [
                    f"file '{_quote(src)}'",
                    f"inpoint {piece.t0:.6f}",
                    f"outpoint {piece.t1:.6f}",
                ]
                continue
            encoded = Path(tmp) / f"piece{i:03d}.ts"
            encoded_pieces.append(encoded)
            edges.append(
                [
                    "-ss",
                    f"{piece.t0:.6f}",
                    "-i",
                    str(src),
                    "-t",
                    f"{piece.duration:.6f}",
                    "-map",
                    "0:v:0",
                    *VIDEO_CODEC_ARGS,
                    "-muxdelay",
                    "0",
                    "-muxpreload",
                    "0",
                    "-f",
                    "mpegts",
                    str(encoded),
                ]
            )
            lines.append(f"file '{_quote(encoded)}'")
            line_of[encoded] = len(lines) - 1
        # Edge encodes and the audio encode are independent: run them side by side (the AAC
        # encode of 30 s takes ~0.8 s here and dominates; in parallel it hides the edges).
        audio_inputs, audio_filter = _audio_graph(parts, pieces)
        audio = Path(tmp) / "audio.m4a"
        edges.append(
            [
                *audio_inputs,
                "-filter_complex",
                audio_filter,
                "-map",
                "[a]",
                *AUDIO_CODEC_ARGS,
                str(audio),
            ]
        )
        ffmpeg_parallel(edges, what="clip encode")
        # An edge past a part's last frame (its declared duration can exceed the real one by
        # a frame) encodes nothing and ffmpeg writes no file: leave it out.
        skip = {line_of[p] for p in encoded_pieces if not p.exists() or p.stat().st_size == 0}
        lines = [ln for k, ln in enumerate(lines) if k not in skip]
        listing = Path(tmp) / "pieces.txt"
        listing.write_text("\n".join(lines) + "\n")
        ffmpeg(
            [
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-i",
                str(audio),
                "-map",
                "0:v:0",
                "-map",
                "1:a:0",
                "-c",
                "copy",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                str(out),
            ],
            what="clip assembly",
        )
    info = probe(out)
    copied = sum(p.duration for p in pieces if p.copy)
    return CutResult(path=out, duration=info.duration, pieces=len(pieces), copied_seconds=copied)


def _audio_graph(parts: Sequence[SourcePart], pieces: Sequence[Piece]) -> tuple[list[str], str]:
    """Inputs and filter that build the clip's audio, piece by piece, from the originals."""
    args: list[str] = []
    labels: list[str] = []
    merged = _merge_adjacent(pieces)
    for n, (part_idx, t0, t1) in enumerate(merged):
        part = parts[part_idx]
        dur = t1 - t0
        if part.audio_path is not None:
            args += ["-ss", f"{t0:.6f}", "-t", f"{dur:.6f}", "-i", str(part.audio_path)]
        else:
            args += ["-f", "lavfi", "-t", f"{dur:.6f}", "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
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
    src: Path | str, start: float, end: float, out: Path, *, max_height: int = 1080
) -> float:
    """Re-encode ``[start, end)`` of any input file or URL to an H.264/AAC MP4 (frame-accurate).

    Used for recordings that have no mezzanine (``clippy process``); returns the duration.
    """
    ffmpeg(
        [
            "-ss",
            f"{start:.6f}",
            "-i",
            str(src),
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
