"""Audio signals per one-second window (pure numpy: arrays in, arrays out).

Per-segment features (``segment_features``) are absolute measurements that can be stored and
stitched together later; everything relative to the stream's own baseline (``relative_loudness``,
``shout_score``) is computed at scoring time over the stitched series.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np

FLOOR_DB = -90.0
SILENT_DB = -70.0  # below this a second holds no sound (a gate, digital silence): a quiet
# microphone still speaks at -50 to -40 dBFS, so no voice is mistaken for silence
# Pitch search range: covers low male speech to a child's or a shouted voice.
_F0_MIN, _F0_MAX = 70.0, 500.0
_PITCH_FRAME = 0.04  # seconds per pitch frame (needs two periods of the lowest F0)
_PITCH_HOP = 0.02
_VOICED_CORRELATION = 0.45  # normalised autocorrelation peak above which a frame is voiced
_SILENT_RMS = 1e-3  # about -60 dBFS: no pitch is estimated below this
# Shouting flattens the spectral tilt; measure it only where voices live so hiss and music
# cymbals above 4 kHz do not pass for a raised voice.
_SPEECH_BAND = (80.0, 4000.0)


class SegmentFeatures(TypedDict):
    """Per-second features of one segment, JSON-ready (stored with the segment)."""

    start: float
    step: float
    loudness: list[float]  # dBFS
    centroid: list[float]  # Hz, speech-band spectral centroid
    pitch: list[float]  # Hz, median voiced F0 (0 = unvoiced)
    pitch_var: list[float]  # semitones², spread of F0 within the second
    energy_var: list[float]  # dB², spread of the 50 ms energy envelope
    laughter: list[float]  # 0-1


def _windows(samples: np.ndarray, sample_rate: int, window: float) -> np.ndarray:
    """``samples`` cut into rows of ``window`` seconds, the last one zero-padded."""
    n = max(1, int(sample_rate * window))
    count = int(np.ceil(len(samples) / n)) if len(samples) else 0
    padded = np.zeros(count * n, dtype=np.float32)
    padded[: len(samples)] = samples
    return padded.reshape(count, n)


def _count(samples: np.ndarray, sample_rate: int, window: float) -> int:
    n = max(1, int(sample_rate * window))
    return int(np.ceil(len(samples) / n)) if len(samples) else 0


def loudness_db(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """RMS level of each window in dBFS (a full-scale sine is -3 dB), floored at -90 dB.

    Plain RMS rather than K-weighted LUFS: only differences against the stream's own baseline
    are used, and K-weighting (a 38 Hz high-pass and a +4 dB shelf above 2 kHz) shifts a voice's
    level by about the same amount whether it is calm or loud; it matters for comparing
    different programmes, which we never do.
    """
    frames = _windows(samples, sample_rate, window)
    if not len(frames):
        return np.zeros(0)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    return np.maximum(20 * np.log10(np.maximum(rms, 1e-12)), FLOOR_DB)


def rolling_baseline(
    values: np.ndarray,
    window_s: float = 60.0,
    *,
    step: float = 1.0,
    gap: int = 0,
    active: np.ndarray | None = None,
) -> np.ndarray:
    """For each index, the median of the ``window_s`` seconds of values before it.

    The current value (and the ``gap`` values just before it) are excluded so a spike never
    raises its own baseline. Indices with under 5 earlier values use the median of everything
    up to and including themselves: at a stream's start there is no better guess. With an
    ``active`` mask only those values count (see ``sound_baseline``); an index with no active
    value up to it is its own baseline.
    """
    values = np.asarray(values, dtype=float)
    mask = np.ones(len(values), bool) if active is None else np.asarray(active, bool)
    width = max(1, round(window_s / step))
    out = np.empty(len(values))
    for i in range(len(values)):
        lo, hi = max(0, i - gap - width), max(0, i - gap)
        hist = values[lo:hi][mask[lo:hi]]
        if len(hist) < 5:
            hist = values[: i + 1][mask[: i + 1]]
        out[i] = np.median(hist) if len(hist) else values[i]
    return out


def sound_baseline(loudness: np.ndarray, window_s: float) -> np.ndarray:
    """``rolling_baseline`` of per-second loudness over the seconds with sound only.

    A noise-gated microphone, a muted game or generated speech leaves digital silence between
    sentences (-90 dB). Counted in the baseline, it made the usual level silence whenever the
    streamer spoke less than half the time, and every sentence a "+70 dB" moment. Only seconds
    above ``SILENT_DB`` say what the stream sounds like.
    """
    loudness = np.asarray(loudness, dtype=float)
    return rolling_baseline(loudness, window_s, active=loudness > SILENT_DB)


def relative_loudness(values: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """How many dB each window is above (positive) or below its baseline."""
    return np.asarray(values, dtype=float) - np.asarray(baseline, dtype=float)


def spectral_centroid(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Magnitude-weighted mean frequency (Hz) of each window within 80-4000 Hz (0 for silence).

    A raised voice pushes energy into higher harmonics, so it raises this centroid.
    """
    frames = _windows(samples, sample_rate, window)
    if not len(frames):
        return np.zeros(0)
    spec = np.abs(np.fft.rfft(frames, axis=1))
    freqs = np.fft.rfftfreq(frames.shape[1], 1 / sample_rate)
    band = (freqs >= _SPEECH_BAND[0]) & (freqs <= _SPEECH_BAND[1])
    spec, freqs = spec[:, band], freqs[band]
    total = spec.sum(axis=1)
    loud = loudness_db(samples, sample_rate, window) > -60.0
    centroid = (spec * freqs).sum(axis=1) / np.maximum(total, 1e-9)
    return np.where(loud & (total > 1e-9), centroid, 0.0)


def pitch_track(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """F0 in Hz every 20 ms (40 ms frames) by normalised autocorrelation; 0 where unvoiced."""
    size, hop = int(sample_rate * _PITCH_FRAME), int(sample_rate * _PITCH_HOP)
    if len(samples) < size:
        return np.zeros(0)
    count = 1 + (len(samples) - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    frames = np.asarray(samples, dtype=np.float64)[idx]
    frames = frames - frames.mean(axis=1, keepdims=True)
    # Autocorrelation of every frame at once through the FFT (zero-padded: no wrap-around).
    spec = np.fft.rfft(frames, 2 * size, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :size]
    lo, hi = int(sample_rate / _F0_MAX), int(sample_rate / _F0_MIN)
    lags = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(count), lags] / np.maximum(ac[:, 0], 1e-12)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    voiced = (peak >= _VOICED_CORRELATION) & (rms >= _SILENT_RMS)
    return np.where(voiced, sample_rate / lags, 0.0)


def _per_window(track: np.ndarray, count: int, window: float) -> list[np.ndarray]:
    """Voiced values of a 20 ms track grouped by ``window``-second window."""
    per = max(1, round(window / _PITCH_HOP))
    groups = [track[i * per : (i + 1) * per] for i in range(count)]
    return [g[g > 0] for g in groups]


def pitch_hz(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Median F0 (Hz) of each window, 0 where under a fifth of the window is voiced."""
    count = _count(samples, sample_rate, window)
    groups = _per_window(pitch_track(samples, sample_rate), count, window)
    need = 0.2 * window / _PITCH_HOP
    return np.array([float(np.median(g)) if len(g) >= need else 0.0 for g in groups])


def pitch_variance(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Variance of F0 in semitones² within each window: a lively voice vs a monotone one.

    Semitones, not Hz, so a high voice is not "livelier" just for being high; 0 where fewer
    than five frames are voiced.
    """
    count = _count(samples, sample_rate, window)
    groups = _per_window(pitch_track(samples, sample_rate), count, window)
    return np.array([float(np.var(12 * np.log2(g))) if len(g) >= 5 else 0.0 for g in groups])


def energy_variance(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Variance of the 50 ms energy envelope (dB²) within each window: animated vs flat."""
    env = loudness_db(samples, sample_rate, 0.05)
    per = max(1, round(window / 0.05))
    count = _count(samples, sample_rate, window)
    return np.array([float(np.var(env[i * per : (i + 1) * per])) for i in range(count)])


def laughter_score(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """0-1 per window: how much the energy envelope pulses at 3.5-7 Hz ("ha-ha-ha").

    A heuristic with known limits: any rhythmic sound at syllable rate (fast chanting, a drum
    roll, some music) also scores, and a single chuckle does not. It only adds to a moment's
    score, it never makes one alone.
    """
    env_rate = 50  # envelope samples per second (20 ms hops)
    hop = sample_rate // env_rate
    n = len(samples) // hop
    count = _count(samples, sample_rate, window)
    if n < env_rate:
        return np.zeros(count)
    env = np.sqrt(np.mean(samples[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1))
    per = int(env_rate * window)
    out = np.zeros(count)
    for i in range(count):
        # Look half a window either side: one second holds only 4-6 syllables.
        e = env[max(0, i * per - per // 2) : (i + 1) * per + per // 2]
        if len(e) < per // 2 or e.max() < _SILENT_RMS:
            continue
        e = e - e.mean()
        spec = np.abs(np.fft.rfft(e * np.hanning(len(e))))
        freqs = np.fft.rfftfreq(len(e), 1 / env_rate)
        band = spec[(freqs >= 3.5) & (freqs <= 7.0)].sum()
        out[i] = float(band / max(spec[freqs > 0.5].sum(), 1e-9))
    return np.clip((out - 0.3) / 0.4, 0, 1)


def shout_score(
    loudness: np.ndarray,
    centroid: np.ndarray,
    pitch: np.ndarray | None = None,
    *,
    window_s: float = 60.0,
) -> np.ndarray:
    """0-1 per second: louder, brighter and (when known) higher-pitched than the stream's norm.

    Works on stitched per-second series (``segment_features`` lists) so each second is compared
    with the trailing baseline of the same stream: +6 dB starts to count, +12 dB is full; the
    voice must also be brighter (centroid x1.15) and, with a pitch series, at least 2 semitones
    above the stream's usual voiced pitch (full at +5).
    """
    loudness = np.asarray(loudness, dtype=float)
    rel = relative_loudness(loudness, sound_baseline(loudness, window_s))
    loud = np.clip((rel - 6.0) / 6.0, 0.0, 1.0)
    centroid = np.asarray(centroid, dtype=float)
    bright = centroid > 1.15 * rolling_baseline(centroid, window_s, active=centroid > 0)
    score = loud * bright
    if pitch is not None:
        score = score * np.clip((_semitones_above_usual(pitch, window_s) - 2.0) / 3.0, 0.0, 1.0)
    return score


def _semitones_above_usual(pitch: np.ndarray, window_s: float) -> np.ndarray:
    """Semitones each voiced second lies above the median of earlier voiced seconds."""
    pitch = np.asarray(pitch, dtype=float)
    out = np.zeros(len(pitch))
    width = round(window_s)
    for i, f0 in enumerate(pitch):
        past = pitch[max(0, i - width) : i]
        past = past[past > 0]
        if f0 > 0 and len(past) >= 3:
            out[i] = 12 * np.log2(f0 / np.median(past))
    return out


def speech_rate(
    words: Sequence[dict[str, Any]], t0: float, t1: float, step: float = 1.0
) -> np.ndarray:
    """Words per second in each ``step`` bin of ``[t0, t1)`` (by word start time)."""
    bins = max(0, int(np.ceil((t1 - t0) / step)))
    out = np.zeros(bins)
    for w in words:
        i = int((float(w["start"]) - t0) // step)
        if 0 <= i < bins:
            out[i] += 1
    return out / step


def segment_features(samples: np.ndarray, sample_rate: int, start_time: float) -> SegmentFeatures:
    """Every per-second feature of one segment as JSON-ready lists (stored with the segment)."""

    def r(a: np.ndarray, nd: int = 2) -> list[float]:
        return [round(float(x), nd) for x in a]

    samples = np.asarray(samples, dtype=np.float32)
    return SegmentFeatures(
        start=float(start_time),
        step=1.0,
        loudness=r(loudness_db(samples, sample_rate)),
        centroid=r(spectral_centroid(samples, sample_rate), 0),
        pitch=r(pitch_hz(samples, sample_rate), 1),
        pitch_var=r(pitch_variance(samples, sample_rate)),
        energy_var=r(energy_variance(samples, sample_rate)),
        laughter=r(laughter_score(samples, sample_rate)),
    )
