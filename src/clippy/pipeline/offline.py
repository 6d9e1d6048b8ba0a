"""``clippy process``: the live pipeline run over a recording as fast as the machine allows.

The recording is cut into the same 10 s windows the extension would send, analysed in a
process pool (features + speech recognition), and detection replays the windows in order
exactly like the live stream would, so both find the same moments.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clippy.config import Settings
from clippy.detect.audience import CHAT_HISTORY_SECONDS
from clippy.detect.chat import ChatLine
from clippy.detect.plan import ClipPlan
from clippy.media.audio import decode_audio
from clippy.media.cut import encode_range
from clippy.media.probe import InvalidMedia, probe
from clippy.media.thumbnail import make_thumbnail
from clippy.pipeline import stages
from clippy.pipeline.analysis import SAMPLE_RATE, Analysis, analyse_samples
from clippy.pipeline.chat_files import ChatFileError, load_chat
from clippy.pipeline.windows import HISTORY_SECONDS, WindowInput, plan_window
from clippy.transcribe.base import Transcriber
from clippy.transcribe.factory import make_transcriber

SEGMENT_SECONDS = 10.0
_TRANSCRIBER: Transcriber | None = None


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


def _init(settings: dict[str, Any]) -> None:
    global _TRANSCRIBER
    stages.start_parent_watch()
    _TRANSCRIBER = make_transcriber(Settings.model_validate(settings))


def _analyse(args: tuple[np.ndarray, float, str]) -> Analysis:
    samples, start, chunk_id = args
    assert _TRANSCRIBER is not None
    return analyse_samples(samples, start, _TRANSCRIBER, chunk_id=chunk_id)


def _windows(samples: np.ndarray, seconds: float) -> Iterator[tuple[np.ndarray, float, str]]:
    n = int(seconds * SAMPLE_RATE)
    for i in range(0, max(len(samples), 1), n):
        yield samples[i : i + n], i / SAMPLE_RATE, f"w{i // n}"


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
    words_all = [w for a in analyses for w in a.words]
    for k in range(len(analyses)):
        t1 = starts[k] + SEGMENT_SECONDS if k + 1 < len(analyses) else _end(analyses, starts)
        final = k + 1 == len(analyses)
        t0 = max(0.0, t1 - settings.detect_window_seconds)
        window = WindowInput(
            t0=t0,
            t1=t1,
            features=[
                (s, a.features)
                for s, a in zip(starts[: k + 1], analyses[: k + 1], strict=True)
                if s + SEGMENT_SECONDS > t0 - HISTORY_SECONDS
            ],
            words=[w for w in words_all if t0 - HISTORY_SECONDS <= float(w["start"]) < t1],
            chat=[c for c in chat if t0 - CHAT_HISTORY_SECONDS <= c.time < t1],
            existing=[(p.start, p.end) for p in made],
            streamer_phrases=key_phrases,
        )
        made += plan_window(window, settings, final=final)
    return sorted(made, key=lambda p: p.start)


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
    """Find and cut the clips of ``source`` into ``out_dir``; returns a process exit code."""
    err = sys.stderr
    try:
        chat = load_chat(chat_file)
    except ChatFileError as exc:
        print(f"clippy: --chat: {exc}", file=err)
        return 2
    try:
        info = probe(source if "://" in source else Path(source))
        samples = decode_audio(source)
    except InvalidMedia as exc:
        print(f"clippy: cannot process {source}: {exc}", file=err)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    chunks = list(_windows(samples, SEGMENT_SECONDS))
    workers = max(1, min(os.cpu_count() or 1, len(chunks)))
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(settings.model_dump(),)) as pool:
        results = pool.map(_analyse, chunks, chunksize=2)
        analyses = list(_progress(results, len(chunks), progress, "analysing"))
    starts = [c[1] for c in chunks]
    plans = detect_offline(analyses, starts, chat, settings, key_phrases)
    jobs = [(i, plan, out_dir, source, info.has_video) for i, plan in enumerate(plans, start=1)]
    # Each encode is mostly single-threaded at these sizes: one per core keeps both busy.
    with ThreadPoolExecutor(workers) as cutters:
        clips = list(_progress(cutters.map(_cut_one, jobs), len(jobs), progress, "cutting"))
    elapsed = time.perf_counter() - started
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
        _print_table(clips, info.duration, elapsed)
    return 0


def _cut_one(job: tuple[int, ClipPlan, Path, str, bool]) -> ClipOut:
    i, plan, out_dir, source, has_video = job
    video = out_dir / f"clip_{i:02d}.mp4"
    thumb = out_dir / f"clip_{i:02d}.jpg"
    encode_range(source, plan.start, plan.end, video)
    if has_video:
        make_thumbnail(video, min(3.0, (plan.end - plan.start) / 2), thumb)
    return ClipOut(
        plan.start,
        plan.end,
        plan.score,
        plan.reason,
        plan.title,
        str(video),
        str(thumb) if has_video else "",
    )


def _progress(items: Iterator[Any], total: int, show: bool, label: str) -> Iterator[Any]:
    if not show or not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


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
