"""Clip cutting speed: smart cut from mezzanine segments vs a full re-encode, plus the cost
of the per-segment work (validation, mezzanine transcode) that makes the fast cut possible,
and where a smart cut's time goes, each step run alone: its in-process video splice, reading
the parts (video and audio packets in one pass), and the audio (AAC packets copied, ~1.4 s
re-encoded around each join; in the cut it runs in a thread beside the video splice); beside
it the previous smart cut, whose audio an ffmpeg process re-encoded whole.

Generates a 60 s 1280x720 test stream (moving test pattern + pink noise), splits it into six
standalone 10 s VP8 + Opus WebM segments like the browser extension sends, transcodes each to
the mezzanine, then cuts the same 30 s range (not on the keyframe grid, spanning four
segments) both ways in this process and prints the medians.

    .venv/bin/python benchmarks/cut_bench.py [--size 1280x720] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.media import split_webm_segments  # noqa: E402

from clippy.media import cut  # noqa: E402
from clippy.media.audio_plan import plan_audio  # noqa: E402
from clippy.media.audio_splice import add_aac_stream, read_aac, splice_audio  # noqa: E402
from clippy.media.cut import SourcePart, _audio_args, audio_spans, cut_clip, plan_cut  # noqa: E402
from clippy.media.ffmpeg import FFmpegError, ffmpeg, ffmpeg_command  # noqa: E402
from clippy.media.mezzanine import (  # noqa: E402
    AUDIO_CODEC_ARGS,
    AUDIO_OFFSET,
    MEZZANINE_SUFFIX,
    VIDEO_CODEC_ARGS,
    transcode_to_mezzanine,
)
from clippy.media.probe import probe, validate_segment  # noqa: E402
from clippy.media.source import media_input  # noqa: E402
from clippy.media.splice import read_parts, splice_video  # noqa: E402

CLIP = (12.37, 42.37)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def child_cpu() -> float:
    """CPU seconds used so far by this process and its finished children (ffmpeg): the cut
    splices video in process, so both count. Load-independent, unlike wall time."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measured(fn: Callable[[], object], runs: int) -> tuple[list[float], float]:
    """Wall seconds of each run, and the median child CPU seconds per run."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu = child_cpu()
        walls.append(timed(fn))
        cpus.append(child_cpu() - cpu)
    return walls, statistics.median(cpus)


def make_source(path: Path, size: str) -> None:
    """60 s of moving test pattern with pink noise (H.264/AAC, split into WebM later)."""
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30"),
            *("-f", "lavfi", "-i", "anoisesrc=c=pink:r=48000:a=0.2", "-t", "60"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)),
        ],
        check=True,
    )


def full_reencode(parts: list[SourcePart], out: Path, tmp: Path) -> None:
    """The baseline: decode the joined parts and re-encode the whole range, same settings."""
    listing = tmp / "all.txt"
    listing.write_text("".join(f"file '{p.path}'\n" for p in parts))
    start, end = CLIP
    ffmpeg(
        [
            *("-safe", "0", "-ss", f"{start:.3f}", *media_input(listing, "concat").input_args()),
            *("-t", f"{end - start:.3f}", "-map", "0:v:0", "-map", "0:a:0"),
            *("-af", f"atrim=start={AUDIO_OFFSET:.6f},asetpts=PTS-STARTPTS"),
            *VIDEO_CODEC_ARGS,
            *AUDIO_CODEC_ARGS,
            *("-movflags", "+faststart", str(out)),
        ],
        what="baseline encode",
    )


def read_only(parts: list[SourcePart]) -> None:
    """The smart cut's read of its parts alone: one demux pass each, video and audio."""
    with ExitStack() as stack:
        read_parts((parts[p.part].path for p in plan_cut(parts, [CLIP])), stack)


def splice_runner(parts: list[SourcePart], out: Path, stack: ExitStack) -> Callable[[], None]:
    """The smart cut's video half alone, parts read beforehand: splice, write a video MP4."""
    pieces = plan_cut(parts, [CLIP])
    frames = [(parts[p.part].path, round(p.t0 * 30), round(p.t1 * 30), p.copy) for p in pieces]
    read = read_parts((path for path, *_ in frames), stack)

    def run() -> None:
        with av.open(str(out), "w", format="mp4") as mp4:
            _, packets = splice_video(frames, mp4, read)
            for packet in packets:
                mp4.mux(packet)

    return run


def ffmpeg_audio_only(parts: list[SourcePart], out: Path) -> None:
    """The old smart cut's audio half alone: the ffmpeg AAC encode of the clip's audio."""
    ffmpeg(_audio_args(parts, plan_cut(parts, [CLIP]), out), what="audio encode")


def ffmpeg_start(args: list[str]) -> subprocess.Popen[bytes]:
    """The old cut's background ffmpeg (its only user went with the audio copy)."""
    return subprocess.Popen(ffmpeg_command(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ffmpeg_finish(proc: subprocess.Popen[bytes], *, what: str) -> None:
    """Wait for ``ffmpeg_start``'s process; ``FFmpegError`` with its last line if it failed."""
    _, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        last = (err.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise FFmpegError(f"{what} failed (exit {proc.returncode}): {last}")


def old_smart_cut(parts: list[SourcePart], out: Path, tmp: Path) -> None:
    """The smart cut before the audio copy (commit 2c0518a): video spliced in process while
    an ffmpeg process encodes the clip's whole audio, then both muxed."""
    pieces = plan_cut(parts, [CLIP])
    frames = [(parts[p.part].path, round(p.t0 * 30), round(p.t1 * 30), p.copy) for p in pieces]
    encode = ffmpeg_start(_audio_args(parts, pieces, tmp / "old-audio.m4a"))
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as mp4:
        _, packets = splice_video(frames, mp4)
        ffmpeg_finish(encode, what="clip audio encode")
        cut._mux_with_audio(mp4, packets, tmp / "old-audio.m4a")


def audio_runner(parts: list[SourcePart], out: Path) -> Callable[[], None]:
    """The smart cut's audio half alone, packets read beforehand: copy them, re-encode
    around the joins, write an audio-only MP4."""
    pieces = plan_cut(parts, [CLIP])
    tracks = {idx: read_aac(parts[idx].path) for idx in sorted({p.part for p in pieces})}
    ready = {k: t for k, t in tracks.items() if t is not None}
    plan = plan_audio(audio_spans(pieces), {k: len(t) for k, t in ready.items()})

    def run() -> None:
        with av.open(str(out), "w", format="mp4") as mp4:
            for packet in splice_audio(plan, ready, add_aac_stream(mp4)):
                mp4.mux(packet)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clippy-cut-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        make_source(tmp / "source.mp4", args.size)
        segments = split_webm_segments(tmp / "source.mp4", tmp / "segments")
        validate: list[float] = []
        validate_cpu: list[float] = []
        for seg in segments:
            walls, cpu = measured(partial(validate_segment, seg.path), 1)
            validate += walls
            validate_cpu.append(cpu)
        parts: list[SourcePart] = []
        transcode: list[float] = []
        transcode_cpu: list[float] = []
        for seg in segments:
            dst = tmp / f"mezz{seg.seq:03d}{MEZZANINE_SUFFIX}"
            walls, cpu = measured(partial(transcode_to_mezzanine, seg.path, dst), 1)
            transcode += walls
            transcode_cpu.append(cpu)
            parts.append(SourcePart(dst, seg.start_time, seg.duration))
        smart, smart_cpu = measured(lambda: cut_clip(parts, [CLIP], tmp / "smart.mp4"), args.runs)
        read, read_cpu = measured(lambda: read_only(parts), args.runs)
        with ExitStack() as stack:
            splice, splice_cpu = measured(splice_runner(parts, tmp / "video.mp4", stack), args.runs)
        aac, aac_cpu = measured(audio_runner(parts, tmp / "audio-copy.mp4"), args.runs)
        old, old_cpu = measured(lambda: old_smart_cut(parts, tmp / "old.mp4", tmp), args.runs)
        audio, audio_cpu = measured(lambda: ffmpeg_audio_only(parts, tmp / "audio.m4a"), args.runs)
        baseline, full_cpu = measured(
            lambda: full_reencode(parts, tmp / "full.mp4", tmp), args.runs
        )
        clip_seconds = CLIP[1] - CLIP[0]
        smart_s, full_s = statistics.median(smart), statistics.median(baseline)
        seg_seconds = statistics.mean(s.duration for s in segments)
        smart_dur = probe(tmp / "smart.mp4").duration
        c = clip_seconds
        rows = [
            (
                "validate_segment, per 10 s segment",
                statistics.median(validate),
                statistics.median(validate_cpu),
                seg_seconds,
            ),
            (
                "mezzanine transcode, per 10 s segment",
                statistics.median(transcode),
                statistics.median(transcode_cpu),
                seg_seconds,
            ),
            (f"smart cut, {c:.0f} s clip (AAC copied)", smart_s, smart_cpu, c),
            ("  reading its parts (one demux pass)", statistics.median(read), read_cpu, c),
            ("  its video splice alone, parts read", statistics.median(splice), splice_cpu, c),
            ("  its audio alone (AAC copy + joins)", statistics.median(aac), aac_cpu, c),
            (f"old smart cut, {c:.0f} s (ffmpeg audio)", statistics.median(old), old_cpu, c),
            ("  its audio encode alone (ffmpeg)", statistics.median(audio), audio_cpu, c),
            (f"full re-encode, {c:.0f} s clip", full_s, full_cpu, c),
        ]
        print(
            f"source {args.size} @ 30 fps, {len(segments)} WebM segments, {args.runs} runs, "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'step':<40} {'wall s':>7} {'x real time':>12} {'CPU s':>7}")
        for name, seconds, cpu, media in rows:
            print(f"{name:<40} {seconds:>7.3f} {media / seconds:>11.1f}x {cpu:>7.3f}")
        print(
            f"smart cut: min {min(smart):.3f} s, median {smart_s:.3f} s, clip {smart_dur:.3f} s "
            f"(asked {clip_seconds:.3f} s); speed-up {full_s / smart_s:.1f}x"
        )
        print(f"smart cut runs (s): {' '.join(f'{t:.3f}' for t in smart)}")
        print(
            f"old smart cut: min {min(old):.3f} s, median {statistics.median(old):.3f} s; "
            f"runs (s): {' '.join(f'{t:.3f}' for t in old)}"
        )
        print("reproduce: .venv/bin/python benchmarks/cut_bench.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
