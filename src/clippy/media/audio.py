"""Decode a file's audio to a mono float32 numpy array (PyAV, in process)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from clippy.media.source import InvalidMedia, MediaSource, media_input

# A hole in the audio's timestamps shorter than this is jitter, not missing sound; one longer
# than this is a timestamp jump (a wrap, a broken file), not a hole to fill with silence.
_MIN_HOLE_S = 0.1
_MAX_HOLE_S = 6 * 3600.0


def decode_audio(path: Path | str | MediaSource, sample_rate: int = 16_000) -> np.ndarray:
    """All audio of ``path`` as float32 mono samples at ``sample_rate`` (empty if silent-less).

    Sample ``k`` is at ``k / sample_rate`` s of the file's own timeline, so times found in the
    audio are times in the video: audio that starts after the file does (a recording whose
    sound came late, an edit) and holes in its timestamps (a dropped stretch of a download)
    are filled with silence; read plainly, every moment after them was placed early and its
    clip cut from the wrong seconds.

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
        start = container.start_time
        # Media time (s) where the next decoded sample belongs: the file's start, at first.
        expected = start / av.time_base if start is not None else None
        # A frame stamped past the file's own end has timestamps not to be trusted.
        last = None
        if expected is not None and container.duration:
            last = expected + container.duration / av.time_base
        try:
            for frame in container.decode(stream):
                hole = _hole(frame.time, expected, last)
                if hole:
                    chunks.append(np.zeros(round(hole * sample_rate), dtype=np.float32))
                if frame.time is not None and frame.sample_rate:
                    end = frame.time + frame.samples / frame.sample_rate
                    expected = end if expected is None else max(expected + hole, end)
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


def _hole(at: float | None, expected: float | None, last: float | None) -> float:
    """Seconds of silence missing before a frame that starts at ``at`` (0 when none)."""
    if at is None or expected is None or (last is not None and at > last):
        return 0.0
    gap = at - expected
    return gap if _MIN_HOLE_S <= gap <= _MAX_HOLE_S else 0.0
