"""Audio analysis of a live segment: features + words (``clippy process`` shares the features
and the ``Analysis`` shape, and recognises whole recordings in ``recognise``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clippy.detect.signals import segment_features
from clippy.media.audio import decode_audio
from clippy.transcribe.base import Transcriber
from clippy.transcribe.vad import speech_fraction

SAMPLE_RATE = 16_000
# Below this share of voiced frames a window is music/noise/silence: skip recognition, which
# would only hallucinate words and cost time.
_MIN_SPEECH_FRACTION = 0.05


@dataclass(frozen=True)
class Analysis:
    """Per-second audio features (JSON-ready) and recognised words in stream time."""

    features: dict[str, Any]
    words: list[dict[str, Any]]


def analyse_samples(
    samples: np.ndarray,
    start_time: float,
    transcriber: Transcriber,
    *,
    chunk_id: str,
    prompt: str = "",
) -> Analysis:
    """Features and transcript of 16 kHz mono samples whose first sample is at ``start_time``."""
    features = features_json(segment_features(samples, SAMPLE_RATE, start_time))
    words: list[dict[str, Any]] = []
    if samples.size and speech_fraction(samples, SAMPLE_RATE) >= _MIN_SPEECH_FRACTION:
        chunk = transcriber.transcribe(
            samples, start_time=start_time, chunk_id=chunk_id, prompt=prompt
        )
        words = chunk.to_json()["transcript"]
    return Analysis(features=features, words=words)


def analyse_audio(
    media: Path, start_time: float, transcriber: Transcriber, *, chunk_id: str, prompt: str = ""
) -> Analysis:
    """Decode ``media``'s audio and analyse it (see ``analyse_samples``)."""
    samples = decode_audio(media, sample_rate=SAMPLE_RATE)
    return analyse_samples(samples, start_time, transcriber, chunk_id=chunk_id, prompt=prompt)


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
