"""Speech recognition over a whole recording, as fast as the machine allows (``clippy process``
and ``clippy transcribe``).

Each worker process takes contiguous runs of the recording. An engine that can batch
(faster-whisper) hears a run in one call: its voice-activity filter packs the speech into
pieces of up to 30 s, each encoded once and decoded several at a time. Other engines hear it
in long windows with the previous text as prompt. The runs overlap by a second and the words
heard in both are kept once."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

import clippy.pipeline.stages as stages
from clippy.config import Settings
from clippy.media.audio import decode_audio
from clippy.media.probe import InvalidMedia, MediaInfo, probe
from clippy.media.source import operator_input
from clippy.transcribe import (
    SAMPLE_RATE,
    BatchTranscriber,
    Heard,
    Transcriber,
    Word,
    drop_cut_edge,
    make_transcriber,
    merge_overlap,
    quiet_point,
    transcribe_span,
)

# Long windows let Whisper pack the speech of minutes into few 30 s encoder passes.
WINDOW_SECONDS = 120.0
OVERLAP_SECONDS = 1.0
RUNS_PER_WORKER = 3  # contiguous runs per worker: enough to balance uneven speech
MIN_RUN_SECONDS = 60.0  # shorter runs cost more in cut edges and start-up than they save
_TRANSCRIBER: Transcriber | None = None

Run = tuple[np.ndarray, float, bool]  # samples, their start (s), whether they end the recording


def _init(settings: dict[str, Any]) -> None:
    global _TRANSCRIBER
    stages.start_parent_watch()
    _TRANSCRIBER = make_transcriber(Settings.model_validate(settings))


def _hear(transcriber: Transcriber, samples: np.ndarray, start: float, final: bool) -> Heard:
    if isinstance(transcriber, BatchTranscriber):
        chunk = transcriber.transcribe_batched(samples, start_time=start)
        words = chunk.words
        if not final:
            # Cut off at the run's end: the next run overlaps it and hears it whole.
            words = drop_cut_edge(words, start + len(samples) / SAMPLE_RATE)
        return Heard(words, chunk.language)
    return transcribe_span(
        transcriber,
        samples,
        start,
        window_seconds=WINDOW_SECONDS,
        overlap_seconds=OVERLAP_SECONDS,
        final=final,
    )


def _recognise(run: Run) -> Heard:
    assert _TRANSCRIBER is not None
    return _hear(_TRANSCRIBER, *run)


def load_recording(source: str) -> tuple[MediaInfo, np.ndarray]:
    """What ``source`` (a path or any URL ffmpeg reads) holds, and its audio at 16 kHz mono;
    ``InvalidMedia`` when it is not a recording with sound."""
    src = operator_input(source)
    info = probe(src)
    if not info.has_audio:
        raise InvalidMedia(f"it has no audio stream (read as {info.format_name})")
    return info, decode_audio(src)


def shortfall_warning(source: str, stated: float, decoded: float) -> str | None:
    """A warning when the audio ends well before the duration the file states (a download or
    copy cut off, a damaged file): without it, a missing hour looks like an hour of nothing."""
    if stated > 0 and stated - decoded > max(3.0, 0.02 * stated):
        return (
            f"the audio of {source} ends at {decoded:.1f} s, but the file says it lasts "
            f"{stated:.1f} s (cut off or damaged?): clips can only come from the first "
            f"{decoded:.1f} s"
        )
    return None


def split_runs(samples: np.ndarray, count: int) -> list[Run]:
    """``count`` contiguous runs cut at quiet moments, each overlapping the next by
    ``OVERLAP_SECONDS``."""
    n = len(samples)
    per = max(1, -(-n // max(1, count)))
    ov = int(OVERLAP_SECONDS * SAMPLE_RATE)
    radius = min(per // 4, 5 * SAMPLE_RATE)
    cuts = [0] + [quiet_point(samples, k * per, radius) for k in range(1, count) if k * per < n]
    ends = [*cuts[1:], n]
    return [
        (samples[a : min(n, b + ov)], a / SAMPLE_RATE, b + ov >= n)
        for a, b in zip(cuts, ends, strict=True)
    ]


def recognise_recording(
    samples: np.ndarray,
    settings: Settings,
    *,
    meanwhile: Callable[[], Any] | None = None,
    on_run: Callable[[int, int], None] | None = None,
) -> tuple[Heard, Any]:
    """All words of 16 kHz mono ``samples`` (stream time 0 at the first sample).

    ``meanwhile`` runs in this process while the workers recognise (its result is returned
    beside the words); ``on_run(done, total)`` reports progress.
    """
    runs_worth = max(1, int(len(samples) / SAMPLE_RATE // MIN_RUN_SECONDS))
    workers = max(1, min(os.cpu_count() or 1, runs_worth))
    if workers == 1:
        # A short recording or one core: starting a worker would cost more than it saves.
        heard = _hear(make_transcriber(settings), samples, 0.0, True)
        extra = meanwhile() if meanwhile is not None else None
        if on_run is not None:
            on_run(1, 1)
        return heard, extra
    if not settings.whisper_threads:
        # One CTranslate2 thread per process: processes scale better than threads at this size.
        settings = settings.model_copy(update={"whisper_threads": 1})
    runs = split_runs(samples, min(runs_worth, workers * RUNS_PER_WORKER))
    # Spawned, not forked: the parent may have loaded a model (checking a user's model
    # directory), and a fork of CTranslate2's thread pools can hang.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=spawn, initializer=_init, initargs=(settings.model_dump(),)
    ) as pool:
        futures = [pool.submit(_recognise, run) for run in runs]
        extra = meanwhile() if meanwhile is not None else None
        words: list[Word] = []
        languages: Counter[str] = Counter()
        for k, ((_, t0, _), heard) in enumerate(zip(runs, _in_order(futures), strict=True)):
            words += merge_overlap(words, heard.words, t0, t0 + OVERLAP_SECONDS)
            if heard.language:
                languages[heard.language] += len(heard.words)
            if on_run is not None:
                on_run(k + 1, len(runs))
    language = languages.most_common(1)[0][0] if languages else ""
    return Heard(words, language), extra


def _in_order(futures: list[Future[Heard]]) -> Iterator[Heard]:
    for f in futures:
        yield f.result()
