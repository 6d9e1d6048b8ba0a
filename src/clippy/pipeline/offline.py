"""``clippy process``: the live pipeline run over a recording as fast as the machine allows.

Detection replays the recording as the same 10 s windows the extension would send, exactly
like the live stream, so both find the same moments. Recognition is where most of the time
goes, so it runs differently from live: each worker process takes a contiguous run of the
recording and hears it in one batched call (only the speech the voice-activity filter finds,
packed into 30 s pieces; ``recognise``), and the words are shared out to the 10 s windows by
time. Clips are stream copies from the keyframe just before them where there is one close
enough (``media.keyframe_cut``), re-encoded otherwise."""

from __future__ import annotations

import bisect
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from clippy.config import Settings
from clippy.detect import CHAT_HISTORY_SECONDS, ChatLine, ClipPlan, segment_features
from clippy.media.cut import encode_range
from clippy.media.ffmpeg import FFmpegError
from clippy.media.keyframe_cut import copy_range, copyable, keyframe_times, snap_start
from clippy.media.probe import InvalidMedia, MediaInfo
from clippy.media.source import operator_input
from clippy.media.thumbnail import make_thumbnail
from clippy.pipeline.analysis import SAMPLE_RATE, Analysis, features_json
from clippy.pipeline.chat_files import ChatFileError, load_chat
from clippy.pipeline.progress import progress_bar, progress_iter
from clippy.pipeline.recognise import load_recording, recognise_recording, shortfall_warning
from clippy.pipeline.timing import Stopwatch
from clippy.pipeline.windows import HISTORY_SECONDS, WindowInput, plan_window
from clippy.transcribe import TranscriberError, check_transcriber

log = logging.getLogger(__name__)

SEGMENT_SECONDS = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class ClipOut:
    """One clip of ``clips.json``: seconds from the start of the input."""

    start: float
    end: float
    score: float
    reason: str
    title: str
    file: str
    thumbnail: str


def analyse_recording(
    samples: np.ndarray, settings: Settings, *, progress: bool = False
) -> tuple[list[Analysis], list[float]]:
    """Per-10 s-window features and words of a whole recording, and the windows' starts."""
    n = int(SEGMENT_SECONDS * SAMPLE_RATE)
    starts = [i / SAMPLE_RATE for i in range(0, max(len(samples), 1), n)]

    def features() -> list[dict[str, Any]]:
        # Cheap numpy work, done here while the workers recognise.
        return [
            features_json(segment_features(samples[int(s * SAMPLE_RATE) :][:n], SAMPLE_RATE, s))
            for s in starts
        ]

    with progress_bar(progress, "listening") as on_run:
        heard, feats = recognise_recording(samples, settings, meanwhile=features, on_run=on_run)
    analyses = [
        Analysis(
            features=f,
            words=[w.to_json() for w in heard.words if s <= w.start < s + SEGMENT_SECONDS],
        )
        for s, f in zip(starts, feats, strict=True)
    ]
    return analyses, starts


def detect_offline(
    analyses: list[Analysis],
    starts: list[float],
    chat: list[ChatLine],
    settings: Settings,
    key_phrases: tuple[str, ...] = (),
) -> list[ClipPlan]:
    """Replay the windows through detection as the live pipeline would see them;
    ``key_phrases`` make a clip when said, as a streamer's own phrases do live."""
    made: list[ClipPlan] = []
    words_all = sorted((w for a in analyses for w in a.words), key=lambda w: float(w["start"]))
    # Sorted times, so each window takes its slices by bisection: a scan of the whole
    # recording per window made detection quadratic in the recording's length.
    word_times = [float(w["start"]) for w in words_all]
    chat = sorted(chat, key=lambda c: c.time)
    chat_times = [c.time for c in chat]
    for k in range(len(analyses)):
        t1 = starts[k] + SEGMENT_SECONDS if k + 1 < len(analyses) else _end(analyses, starts)
        final = k + 1 == len(analyses)
        t0 = max(0.0, t1 - settings.detect_window_seconds)
        first = bisect.bisect_right(starts, t0 - HISTORY_SECONDS - SEGMENT_SECONDS, hi=k + 1)
        window = WindowInput(
            t0=t0,
            t1=t1,
            features=[(starts[j], analyses[j].features) for j in range(first, k + 1)],
            words=_between(words_all, word_times, t0 - HISTORY_SECONDS, t1),
            chat=_between(chat, chat_times, t0 - CHAT_HISTORY_SECONDS, t1),
            existing=[(p.start, p.end) for p in made],
            streamer_phrases=key_phrases,
        )
        made += plan_window(window, settings, final=final)
    return sorted(made, key=lambda p: p.start)


def _between(items: list[T], times: list[float], t0: float, t1: float) -> list[T]:
    """``items`` whose time (``times``, sorted alike) is in ``[t0, t1)``."""
    return items[bisect.bisect_left(times, t0) : bisect.bisect_left(times, t1)]


def _end(analyses: list[Analysis], starts: list[float]) -> float:
    last = analyses[-1].features.get("loudness") or []
    return starts[-1] + max(len(last), 1)


def process_file(
    source: str,
    out_dir: Path,
    settings: Settings,
    *,
    as_json: bool = False,
    progress: bool = True,
    chat_file: Path | None = None,
    key_phrases: tuple[str, ...] = (),
) -> int:
    """Find and cut the clips of ``source`` into ``out_dir``; returns a process exit code.

    Every failure is one line on stderr, never a traceback: 2 for input that cannot be used
    (not media, no such file, unusable speech model), 1 for anything that broke on the way.
    """
    err = sys.stderr
    try:
        chat = load_chat(chat_file)
    except ChatFileError as exc:
        print(f"clippy: --chat: {exc}", file=err)
        return 2
    try:
        check_transcriber(settings)
    except TranscriberError as exc:
        print(f"clippy: {exc}", file=err)
        return 2
    clock = Stopwatch()
    try:
        info, samples = load_recording(source)
    except InvalidMedia as exc:
        print(f"clippy: cannot process {source}: {exc}", file=err)
        return 2
    clock.lap("reading the audio")
    warning = shortfall_warning(source, info.duration, len(samples) / SAMPLE_RATE)
    if warning:
        print(f"clippy: warning: {warning}", file=err)
    try:
        return _process(
            source,
            info,
            samples,
            clock,
            out_dir,
            settings,
            as_json=as_json,
            progress=progress,
            chat=chat,
            key_phrases=key_phrases,
        )
    except Exception as exc:  # a traceback helps no user: say what broke, log the rest
        log.debug("processing %s failed", source, exc_info=True)
        print(f"clippy: processing {source} failed: {exc.__class__.__name__}: {exc}", file=err)
        return 1


def _process(
    source: str,
    info: MediaInfo,
    samples: np.ndarray,
    clock: Stopwatch,
    out_dir: Path,
    settings: Settings,
    *,
    as_json: bool,
    progress: bool,
    chat: list[ChatLine],
    key_phrases: tuple[str, ...],
) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    analyses, starts = analyse_recording(samples, settings, progress=progress)
    clock.lap("recognition and features")
    plans = detect_offline(analyses, starts, chat, settings, key_phrases)
    clock.lap("detection")
    lead = settings.process_keyframe_lead_seconds
    keys = (
        keyframe_times(operator_input(source))
        if plans and lead > 0 and copyable(info.video_codec, info.audio_codec)
        else []
    )
    jobs = [
        _CutJob(i, plan, out_dir, source, info.has_video, snap_start(keys, plan.start, lead))
        for i, plan in enumerate(plans, start=1)
    ]
    # A copy is quick and an encode mostly single-threaded at these sizes: one per core.
    with ThreadPoolExecutor(max(1, os.cpu_count() or 1)) as cutters:
        clips = list(progress_iter(cutters.map(_cut_one, jobs), len(jobs), progress, "cutting"))
    copies = sum(j.keyframe is not None for j in jobs)
    clock.lap(f"cutting {len(clips)} clips ({copies} by stream copy)")
    elapsed = sum(lap.wall for lap in clock.laps)
    log.info("where the time went: %s", clock.summary())
    data = [asdict(c) for c in clips]
    (out_dir / "clips.json").write_text(json.dumps(data, indent=2))
    if as_json:
        json.dump(
            [{k: c[k] for k in ("start", "end", "score", "reason", "title", "file")} for c in data],
            sys.stdout,
            indent=2,
        )
        print()
    else:
        _print_table(clips, len(samples) / SAMPLE_RATE, elapsed)
    return 0


@dataclass(frozen=True)
class _CutJob:
    number: int
    plan: ClipPlan
    out_dir: Path
    source: str
    has_video: bool
    keyframe: float | None  # where a stream copy may start, if one is close enough


def _cut_one(job: _CutJob) -> ClipOut:
    plan = job.plan
    video = job.out_dir / f"clip_{job.number:02d}.mp4"
    thumb = job.out_dir / f"clip_{job.number:02d}.jpg"
    src = operator_input(job.source)
    start, end = plan.start, plan.end
    copied = False
    if job.keyframe is not None:
        try:
            # The clip is what was copied: from the keyframe, a frame or two past the end.
            start, end = job.keyframe, job.keyframe + copy_range(src, job.keyframe, end, video)
            copied = True
        except FFmpegError as exc:  # e.g. a codec pairing the MP4 muxer refuses: encode
            log.info("clip %d: stream copy failed (%s); re-encoding it", job.number, exc)
    if not copied:
        encode_range(src, start, end, video)
    if job.has_video:
        make_thumbnail(video, min(3.0, (end - start) / 2), thumb)
    return ClipOut(
        round(start, 3),
        round(end, 3),
        plan.score,
        plan.reason,
        plan.title,
        str(video),
        str(thumb) if job.has_video else "",
    )


def _print_table(clips: list[ClipOut], duration: float, elapsed: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(clips)} clips")
    for col in ("#", "start", "end", "score", "title", "reason", "file"):
        table.add_column(col)
    for i, c in enumerate(clips, 1):
        table.add_row(
            str(i), f"{c.start:.1f}", f"{c.end:.1f}", f"{c.score:.2f}", c.title, c.reason, c.file
        )
    console = Console()
    console.print(table)
    speed = duration / elapsed if elapsed > 0 else 0
    console.print(f"processed {duration:.0f} s in {elapsed:.1f} s ({speed:.1f}x real time)")
