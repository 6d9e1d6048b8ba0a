"""Voice activity: where in a window someone speaks (WebRTC VAD on 30 ms frames)."""

from __future__ import annotations

import numpy as np

from clippy.transcribe.base import SAMPLE_RATE, to_pcm16

_FRAME_MS = 30


def voiced_frames(
    audio: np.ndarray, sample_rate: int = SAMPLE_RATE, aggressiveness: int = 2
) -> np.ndarray:
    """A boolean per 30 ms frame: True where the VAD hears speech."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)
    n = sample_rate * _FRAME_MS // 1000
    pcm = to_pcm16(audio)
    frames = len(audio) // n
    return np.array(
        [vad.is_speech(pcm[i * n * 2 : (i + 1) * n * 2], sample_rate) for i in range(frames)],
        dtype=bool,
    )


def speech_fraction(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Share of 30 ms frames with speech (0 for empty audio)."""
    flags = voiced_frames(audio, sample_rate)
    return float(flags.mean()) if flags.size else 0.0


def speech_regions(
    audio: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    aggressiveness: int = 2,
    min_gap: float = 0.3,
) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, with gaps shorter than ``min_gap`` bridged."""
    flags = voiced_frames(audio, sample_rate, aggressiveness)
    step = _FRAME_MS / 1000
    regions: list[tuple[float, float]] = []
    for i, on in enumerate(flags):
        if not on:
            continue
        t0, t1 = i * step, (i + 1) * step
        if regions and t0 - regions[-1][1] < min_gap:
            regions[-1] = (regions[-1][0], t1)
        else:
            regions.append((t0, t1))
    return regions
