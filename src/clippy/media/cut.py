"""Frame-accurate, fast clip cutting from mezzanine segments (smart cut).

Mezzanine parts are H.264 at a constant 30 fps with a keyframe every second starting at 0
(see ``mezzanine``). For each requested range the whole GOPs inside it are stream-copied and
only the partial GOPs at its two edges (under a second each) are re-encoded with the same
encoder settings, in this process (``splice``). The mezzanines' AAC packets are copied too,
and only about 1.4 s around each join between parts is decoded and re-encoded (``audio_plan``,
``audio_splice``); both go into one faststart MP4, with no ffmpeg process. Parts whose audio
is not in the mezzanine's layout get the clip's audio encoded by ffmpeg instead.
``plan_cut`` and ``plan_audio`` are the pure planning steps; ``cut_clip`` runs them.
"""

from __future__ import annotations

import heapq
import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container

from clippy.errors import MediaError
from clippy.media.audio_plan import Span, plan_audio
from clippy.media.audio_splice import TIME_BASE as AAC_TIME_BASE
from clippy.media.audio_splice import (
    AacTrack,
    aac_track,
    add_aac_stream,
    audio_payloads,
    timed_packets,
)
from clippy.media.ffmpeg import ffmpeg
from clippy.media.mezzanine import (
    AUDIO_CODEC_ARGS,
    AUDIO_OFFSET,
    AUDIO_RATE,
    GOP_SECONDS,
    MEZZANINE_FPS,
)
from clippy.media.probe import probe
from clippy.media.source import MediaSource, media_input, open_output
from clippy.media.splice import TIME_BASE as SPLICE_TIME_BASE
from clippy.media.splice import PartReader, SpliceError, read_parts, splice_video

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

    The clip is H.264 + AAC, as long as the ranges within a frame (less any skipped holes),
    written in this process: video spliced (``splice``), the mezzanines' AAC copied and
    re-encoded only around joins (``audio_plan``). Parts whose audio is not in the layout
    that needs get the clip's audio encoded by ffmpeg instead. Raises ``CutError`` for ranges
    the parts do not cover, ``FFmpegError`` if that audio encode fails, ``SpliceError`` if a
    part's video or audio cannot be read or re-encoded; no file is left at ``out`` then.
    """
    pieces = plan_cut(parts, ranges)
    frames = [
        (parts[p.part].path, round(p.t0 * MEZZANINE_FPS), round(p.t1 * MEZZANINE_FPS), p.copy)
        for p in pieces
    ]
    try:
        with (
            ExitStack() as stack,
            open_output(out, "mp4", {"movflags": "+faststart"}) as mp4,
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            # One pass over each part reads its video and its audio packets.
            read = read_parts((path for path, *_ in frames), stack)
            tracks = _aac_tracks(parts, pieces, read)
            if tracks is not None:
                plan = plan_audio(audio_spans(pieces), {k: len(t) for k, t in tracks.items()})
                # The audio's few re-encodes run beside the video splice (codecs drop the GIL).
                payloads = pool.submit(audio_payloads, plan, tracks)
                _, video = splice_video(frames, mp4, read)
                try:
                    audio_payloads_done = payloads.result()
                except av.FFmpegError as exc:  # a damaged AAC frame: the candidate, not the job
                    raise SpliceError(f"cannot copy the clip's audio: {exc}") from None
                audio = timed_packets(audio_payloads_done, plan.preroll, add_aac_stream(mp4))
                for packet in _interleaved(video, SPLICE_TIME_BASE, audio, AAC_TIME_BASE):
                    mp4.mux(packet)
            else:
                _, video = splice_video(frames, mp4, read)
                _mux_encoded_audio(parts, pieces, mp4, video)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    # Frame-accurate by construction (tests hold it to that), so no ffprobe run is needed.
    duration = sum(p.duration for p in pieces)
    copied = sum(p.duration for p in pieces if p.copy)
    return CutResult(path=out, duration=duration, pieces=len(pieces), copied_seconds=copied)


def audio_spans(pieces: Sequence[Piece]) -> list[Span]:
    """The clip's audio as part-local sample spans, adjacent pieces of a part merged."""
    return [
        Span(part, round(t0 * AUDIO_RATE), round(t1 * AUDIO_RATE))
        for part, t0, t1 in _merge_adjacent(pieces)
    ]


def _aac_tracks(
    parts: Sequence[SourcePart], pieces: Sequence[Piece], read: Mapping[Path, PartReader]
) -> dict[int, AacTrack] | None:
    """The AAC packets of every part the cut uses, or None if one is not in the layout the
    copy needs."""
    tracks: dict[int, AacTrack] = {}
    for idx in {p.part for p in pieces}:
        found = read[parts[idx].path].audio
        track = aac_track(*found) if found is not None else None
        if track is None:
            return None
        tracks[idx] = track
    return tracks


def _interleaved(
    first: list[av.Packet], first_base: Fraction, second: list[av.Packet], second_base: Fraction
) -> Iterator[av.Packet]:
    """Two streams' packets (each in order) merged by decoding time, for the muxer."""
    a, b = float(first_base), float(second_base)
    # (time, stream, index, packet): the index breaks ties, so packets are never compared.
    merged = heapq.merge(
        (((p.dts or 0) * a, 0, n, p) for n, p in enumerate(first)),
        (((p.dts or 0) * b, 1, n, p) for n, p in enumerate(second)),
    )
    yield from (packet for *_, packet in merged)


def _mux_encoded_audio(
    parts: Sequence[SourcePart],
    pieces: Sequence[Piece],
    mp4: av.container.OutputContainer,
    video: list[av.Packet],
) -> None:
    """The previous way, for audio that cannot be copied: ffmpeg encodes the clip's AAC."""
    with tempfile.TemporaryDirectory(prefix="clippy-cut-") as tmp_dir:
        audio = Path(tmp_dir) / "audio.m4a"
        ffmpeg(_audio_args(parts, pieces, audio), what="clip audio encode")
        _mux_with_audio(mp4, video, audio)


def _mux_with_audio(
    mp4: av.container.OutputContainer, video: list[av.Packet], audio_file: Path
) -> None:
    """Write ``video`` packets and the audio of ``audio_file`` to ``mp4``, interleaved."""
    with media_input(audio_file).open_av() as source:
        source_stream = source.streams.audio[0]
        stream = mp4.add_stream_from_template(source_stream)
        audio = [p for p in source.demux(source_stream) if p.size > 0]
        for packet in audio:
            packet.stream = stream
        for packet in sorted([*video, *audio], key=_seconds):
            mp4.mux(packet)


def _seconds(packet: av.Packet) -> float:
    assert packet.dts is not None and packet.time_base is not None
    return float(packet.dts * packet.time_base)


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
            *media_input(src).range_args(start, end),
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
