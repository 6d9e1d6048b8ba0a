"""Audio analysis of a live segment: features + words (``clippy process`` shares the features
and the ``Analysis`` shape, and recognises whole recordings in ``recognise``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clippy.detect import segment_features
from clippy.media.audio import decode_audio
from clippy.transcribe import Transcriber, Word, drop_cut_edge, join_lead_in, speech_fraction

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


def analyse_samples(
    samples: np.ndarray,
    start_time: float,
    transcriber: Transcriber,
    *,
    chunk_id: str,
    prompt: str = "",
    lead_in: LeadIn | None = None,
    end_heard_again: bool = False,
    language: str | None = None,
) -> Analysis:
    """Features and transcript of 16 kHz mono samples whose first sample is at ``start_time``.

    With ``lead_in`` the recogniser hears it first; of its words only those the previous
    segment lost at its edge are kept (``rolling.join_lead_in``). With ``end_heard_again``
    the next segment will hear this one's end as its lead-in, so a word cut off at the end
    is left to it. ``language`` is the stream's (see ``Transcriber.transcribe``).
    """
    features = features_json(segment_features(samples, SAMPLE_RATE, start_time))
    words: list[dict[str, Any]] = []
    heard_language = ""
    if samples.size and speech_fraction(samples, SAMPLE_RATE) >= _MIN_SPEECH_FRACTION:
        before = lead_in.samples if lead_in is not None else np.zeros(0, np.float32)
        lead = before.size / SAMPLE_RATE
        chunk = transcriber.transcribe(
            np.concatenate([before, samples]) if before.size else samples,
            start_time=start_time - lead,
            chunk_id=chunk_id,
            prompt=prompt,
            language=language,
        )
        heard = join_lead_in(lead_in.words if lead_in else (), chunk.words, start_time, lead)
        if end_heard_again:
            heard = drop_cut_edge(heard, start_time + samples.size / SAMPLE_RATE)
        words = [w.to_json() for w in heard]
        heard_language = chunk.language if words else ""
    return Analysis(features=features, words=words, language=heard_language)


def analyse_audio(
    media: Path,
    start_time: float,
    transcriber: Transcriber,
    *,
    chunk_id: str,
    prompt: str = "",
    lead_in: LeadIn | None = None,
    end_heard_again: bool = False,
    language: str | None = None,
) -> Analysis:
    """Decode ``media``'s audio and analyse it (see ``analyse_samples``)."""
    samples = decode_audio(media, sample_rate=SAMPLE_RATE)
    return analyse_samples(
        samples,
        start_time,
        transcriber,
        chunk_id=chunk_id,
        prompt=prompt,
        lead_in=lead_in,
        end_heard_again=end_heard_again,
        language=language,
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
