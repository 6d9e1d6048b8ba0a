"""Audio analysis of live segments: features + words (``clippy process`` shares the features
and the ``Analysis`` shape, and recognises whole recordings in ``recognise``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clippy.detect import segment_features
from clippy.transcribe import (
    BatchTranscriber,
    Transcriber,
    TranscriptChunk,
    Word,
    drop_cut_edge,
    join_lead_in,
    speech_fraction,
)

SAMPLE_RATE = 16_000
# Below this share of voiced frames a window is music/noise/silence: skip recognition, which
# would only hallucinate words and cost time.
_MIN_SPEECH_FRACTION = 0.05


@dataclass(frozen=True)
class Analysis:
    """Per-second audio features (JSON-ready) and recognised words in stream time."""

    features: dict[str, Any]
    words: list[dict[str, Any]]
    language: str = ""  # what the recogniser heard ("" when it does not say or heard nothing)


@dataclass(frozen=True)
class LeadIn:
    """The end of the previous live segment, recognised again with the next one so that a
    word across their join is heard whole: its last samples and the words stored for them."""

    samples: np.ndarray
    words: Sequence[Word]


def analyse_run(
    run: Sequence[np.ndarray],
    starts: Sequence[float],
    transcriber: Transcriber,
    *,
    chunk_id: str,
    prompt: str = "",
    lead_in: LeadIn | None = None,
    end_heard_again: bool = False,
    language: str | None = None,
) -> list[Analysis]:
    """Features and transcript of consecutive pieces of one stream's 16 kHz mono audio
    (``run[i]``'s first sample is at ``starts[i]``; each joins the next without a hole),
    recognised in one call; one ``Analysis`` per piece, a word in the piece holding its middle.

    With ``lead_in`` the recogniser hears it first; of its words only those the previous
    segment lost at its edge are kept (``rolling.join_lead_in``). With ``end_heard_again``
    the next segment will hear the run's end as its lead-in, so a word cut off at the end
    is left to it. ``language`` is the stream's (see ``Transcriber.transcribe``).

    A live pipeline that has fallen behind hears a stream's waiting segments together:
    Whisper pads every window to 30 s, so three 10 s segments decoded at once cost about a
    third of three separate windows (benchmarks/live_capacity_bench.py), and the speech
    across their joins is heard whole.
    """
    if len(run) != len(starts) or not run:
        raise ValueError("analyse_run needs one start per piece, and at least one piece")
    features = [
        features_json(segment_features(x, SAMPLE_RATE, t)) for x, t in zip(run, starts, strict=True)
    ]
    audio = np.concatenate(list(run)) if len(run) > 1 else run[0]
    heard: list[Word] = []
    heard_language = ""
    if audio.size and speech_fraction(audio, SAMPLE_RATE) >= _MIN_SPEECH_FRACTION:
        before = lead_in.samples if lead_in is not None else np.zeros(0, np.float32)
        lead = before.size / SAMPLE_RATE
        chunk = _recognise(
            transcriber,
            np.concatenate([before, audio]) if before.size else audio,
            starts[0] - lead,
            chunk_id=chunk_id,
            prompt=prompt,
            language=language,
            batched=len(run) > 1,
        )
        heard = join_lead_in(lead_in.words if lead_in else (), chunk.words, starts[0], lead)
        if end_heard_again:
            heard = drop_cut_edge(heard, starts[-1] + run[-1].size / SAMPLE_RATE)
        heard_language = chunk.language if heard else ""
    pieces: list[list[dict[str, Any]]] = [[] for _ in run]
    for w in heard:
        middle = (w.start + w.end) / 2
        k = max((i for i, t in enumerate(starts) if t <= middle), default=0)
        pieces[k].append(w.to_json())
    return [
        Analysis(features=f, words=words, language=heard_language if words else "")
        for f, words in zip(features, pieces, strict=True)
    ]


def _recognise(
    transcriber: Transcriber,
    audio: np.ndarray,
    start_time: float,
    *,
    chunk_id: str,
    prompt: str,
    language: str | None,
    batched: bool,
) -> TranscriptChunk:
    # One segment keeps the prompted window (the previous text helps a short window); a run
    # of them is long enough to be its own context and gains most from batched decoding.
    if batched and isinstance(transcriber, BatchTranscriber):
        return transcriber.transcribe_batched(audio, start_time=start_time, language=language)
    return transcriber.transcribe(
        audio, start_time=start_time, chunk_id=chunk_id, prompt=prompt, language=language
    )


def features_json(features: Any) -> dict[str, Any]:
    """Segment features as the JSON stored with a segment."""
    if isinstance(features, dict):
        return features
    to_json = getattr(features, "to_json", None)
    if callable(to_json):
        result: dict[str, Any] = to_json()
        return result
    from dataclasses import asdict

    return asdict(features)
