"""Decode a file's audio to a mono float32 numpy array (PyAV, in process)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from clippy.media.source import InvalidMedia, MediaSource, media_input


def decode_audio(path: Path | str | MediaSource, sample_rate: int = 16_000) -> np.ndarray:
    """All audio of ``path`` as float32 mono samples at ``sample_rate`` (empty if silent-less).

    A file without an audio stream yields an empty array; unreadable input raises
    ``InvalidMedia``. The input is opened through ``media.source`` (no format guessing).
    """
    source = media_input(path)
    path = source.location
    try:
        container = source.open_av()
    except (av.error.FFmpegError, OSError) as exc:
        raise InvalidMedia(f"cannot open {path} for audio: {exc}") from None
    with container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as exc:
            if not chunks:
                raise InvalidMedia(f"cannot decode the audio of {path}: {exc}") from None
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)
