"""``clippy eval planted``: the pipeline's clips on planted-moment streams, scored.

Each stream goes through what ``clippy process`` runs (the recording's features per 10 s window
and its speech recognised as a whole; then detection replayed window by window with the chat),
without cutting.
A planted moment is found when a clip overlaps it; a clip that overlaps no planted moment, or
only a trap, is a false clip.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clippy.config import Settings
from clippy.detect import ClipPlan
from clippy.eval.planted import KINDS, Planted, load_truth, make_planted
from clippy.media.audio import decode_audio
from clippy.pipeline import SAMPLE_RATE, analyse_recording, detect_offline, load_chat


@dataclass(frozen=True)
class StreamResult:
    """One stream's truth and clips, and its processing time."""

    name: str
    seconds: float
    planted: list[Planted]
    clips: list[tuple[float, float, str]]  # start, end, reason
    wall_seconds: float


def detect_stream(wav: Path, chat_file: Path, settings: Settings) -> list[ClipPlan]:
    """The clips ``clippy process`` plans for a recording and its chat (nothing is cut): the
    recording recognised as a whole (``analyse_recording``: long windows ending at quiet
    points, overlapping by a second), detection replayed as the live 10 s windows."""
    samples = decode_audio(wav, sample_rate=SAMPLE_RATE)
    analyses, starts = analyse_recording(samples, settings)
    return detect_offline(analyses, starts, load_chat(chat_file), settings)


def run_planted(
    out_dir: Path, seeds: Sequence[int], minutes: Sequence[float], settings: Settings
) -> list[StreamResult]:
    """Generate (or reuse) a stream per seed and length under ``out_dir`` and detect on it."""
    results = []
    for seconds in [m * 60 for m in minutes]:
        for seed in seeds:
            d = out_dir / f"seed{seed}_{int(seconds)}s"
            wav = make_planted(d, seed, seconds)
            started = time.perf_counter()
            plans = detect_stream(wav, d / "chat.json", settings)
            results.append(
                StreamResult(
                    d.name,
                    seconds,
                    load_truth(d),
                    [(p.start, p.end, p.reason) for p in plans],
                    time.perf_counter() - started,
                )
            )
    return results


def score_planted(results: Sequence[StreamResult]) -> dict[str, Any]:
    """Recall per kind, traps clipped, false clips per 10 minutes, start/end errors (s).

    Start error is the clip's start minus the moment's (negative: the clip starts before it,
    which is the aim); end error the clip's end minus the moment's end.
    """
    found: dict[str, list[bool]] = {k: [] for k in KINDS}
    start_err: list[float] = []
    end_err: list[float] = []
    false_clips = 0
    for r in results:
        for p in r.planted:
            hits = [c for c in r.clips if c[0] <= p.end and c[1] >= p.start]
            found[p.kind].append(bool(hits))
            if hits and p.kind != "trap":
                start_err.append(hits[0][0] - p.start)
                end_err.append(hits[0][1] - p.end)
        moments = [p for p in r.planted if p.kind != "trap"]
        false_clips += sum(
            not any(c[0] <= p.end and c[1] >= p.start for p in moments) for c in r.clips
        )
    minutes = sum(r.seconds for r in results) / 60
    moments_found = [f for k, v in found.items() if k != "trap" for f in v]
    return {
        "streams": len(results),
        "minutes": round(minutes, 1),
        "recall": round(float(np.mean(moments_found)), 3) if moments_found else 0.0,
        "recall_by_kind": {
            k: round(float(np.mean(v)), 3) for k, v in found.items() if v and k != "trap"
        },
        "traps": len(found["trap"]),
        "traps_clipped": int(sum(found["trap"])),
        "false_clips_per_10min": round(10 * false_clips / minutes, 2) if minutes else 0.0,
        "mean_start_error_s": round(float(np.mean(start_err)), 1) if start_err else None,
        "mean_end_error_s": round(float(np.mean(end_err)), 1) if end_err else None,
        "seconds_per_stream_minute": round(sum(r.wall_seconds for r in results) / minutes, 2)
        if minutes
        else 0.0,
    }
