"""Audio signals per one-second window (pure numpy: arrays in, arrays out)."""

from __future__ import annotations

from typing import Any

import numpy as np

FLOOR_DB = -90.0


def _windows(samples: np.ndarray, sample_rate: int, window: float) -> np.ndarray:
    n = max(1, int(sample_rate * window))
    count = int(np.ceil(len(samples) / n)) if len(samples) else 0
    padded = np.zeros(count * n, dtype=np.float32)
    padded[: len(samples)] = samples
    return padded.reshape(count, n)


def loudness_db(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """RMS level of each window in dBFS (a full-scale sine is -3 dB), floored at -90 dB.

    Plain RMS rather than K-weighted LUFS: only differences against the stream's own baseline
    are used, and the K-weighting's shelf barely moves those for speech (it matters for
    comparing different programmes, which we never do).
    """
    frames = _windows(samples, sample_rate, window)
    if not len(frames):
        return np.zeros(0)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    return np.maximum(20 * np.log10(np.maximum(rms, 1e-12)), FLOOR_DB)


def rolling_baseline(values: np.ndarray, window: int = 60, min_history: int = 5) -> np.ndarray:
    """For each index, the median of the ``window`` values before it (not itself).

    The current value is excluded so a spike never raises its own baseline; the first few
    windows, with too little history, use the median of everything seen so far, itself included.
    """
    out = np.empty(len(values))
    for i in range(len(values)):
        hist = values[max(0, i - window) : i]
        out[i] = np.median(hist) if len(hist) >= min_history else np.median(values[: max(i + 1, 1)])
    return out


def relative_loudness(values: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """How many dB each window is above (positive) or below its baseline."""
    return values - baseline


def spectral_centroid(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Mean frequency (Hz) of each window's spectrum, weighted by magnitude (0 for silence).

    Shouting pushes energy into higher harmonics, so it raises the centroid of speech.
    """
    frames = _windows(samples, sample_rate, window)
    if not len(frames):
        return np.zeros(0)
    spec = np.abs(np.fft.rfft(frames, axis=1))
    freqs = np.fft.rfftfreq(frames.shape[1], 1 / sample_rate)
    total = spec.sum(axis=1)
    return np.where(total > 1e-9, (spec * freqs).sum(axis=1) / np.maximum(total, 1e-9), 0.0)


def pitch_hz(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Fundamental frequency estimate per window by autocorrelation (75-500 Hz; 0 if unvoiced)."""
    frames = _windows(samples, sample_rate, window)
    out = np.zeros(len(frames))
    lo, hi = int(sample_rate / 500), int(sample_rate / 75)
    for i, frame in enumerate(frames):
        # Autocorrelate a 64 ms excerpt around the loudest point: cheap and robust enough.
        centre = int(np.argmax(np.abs(frame)))
        seg = frame[max(0, centre - 512) : centre + 512].astype(np.float64)
        if len(seg) <= hi or np.sqrt(np.mean(seg**2)) < 1e-3:
            continue
        seg = seg - seg.mean()
        ac = np.correlate(seg, seg, mode="full")[len(seg) - 1 :]
        if ac[0] <= 0:
            continue
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] / ac[0] > 0.3:
            out[i] = sample_rate / lag
    return out


def energy_variance(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """Variance of the 50 ms energy envelope (dB) within each window: animated vs flat delivery."""
    env = loudness_db(samples, sample_rate, 0.05)
    per = max(1, int(window / 0.05))
    count = int(np.ceil(len(env) / per)) if len(env) else 0
    return np.array([np.var(env[i * per : (i + 1) * per]) for i in range(count)])


def laughter_score(samples: np.ndarray, sample_rate: int, window: float = 1.0) -> np.ndarray:
    """0-1 per window: how much the energy envelope pulses at 3.5-7 Hz ("ha-ha-ha").

    A heuristic: rhythmic syllables (some chanting, drum rolls) also score; it only adds to a
    moment's score, it never makes one alone.
    """
    env_rate = 50  # envelope samples per second (20 ms hops)
    hop = sample_rate // env_rate
    n = len(samples) // hop
    if n < env_rate:
        return np.zeros(int(np.ceil(len(samples) / (sample_rate * window))))
    env = np.sqrt(np.mean(samples[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1))
    per = int(env_rate * window)
    count = int(np.ceil(n / per))
    out = np.zeros(count)
    for i in range(count):
        e = env[max(0, i * per - per // 2) : (i + 1) * per + per // 2]
        if len(e) < per // 2 or e.max() < 1e-3:
            continue
        e = e - e.mean()
        spec = np.abs(np.fft.rfft(e * np.hanning(len(e))))
        freqs = np.fft.rfftfreq(len(e), 1 / env_rate)
        band = spec[(freqs >= 3.5) & (freqs <= 7.0)].sum()
        out[i] = float(band / max(spec[freqs > 0.5].sum(), 1e-9))
    return np.clip((out - 0.3) / 0.4, 0, 1)


def speech_rate(words: list[dict[str, Any]], t0: float, t1: float, step: float = 1.0) -> np.ndarray:
    """Words per second in each ``step`` bin of ``[t0, t1)`` (by word start time)."""
    bins = max(0, int(np.ceil((t1 - t0) / step)))
    out = np.zeros(bins)
    for w in words:
        i = int((float(w["start"]) - t0) // step)
        if 0 <= i < bins:
            out[i] += 1
    return out / step


def segment_features(samples: np.ndarray, sample_rate: int, start_time: float) -> dict[str, Any]:
    """Every per-second feature of one segment as JSON-ready lists (stored with the segment)."""

    def r(a: np.ndarray, nd: int = 2) -> list[float]:
        return [round(float(x), nd) for x in a]

    return {
        "start": start_time,
        "step": 1.0,
        "loudness": r(loudness_db(samples, sample_rate)),
        "centroid": r(spectral_centroid(samples, sample_rate), 0),
        "pitch": r(pitch_hz(samples, sample_rate), 0),
        "energy_var": r(energy_variance(samples, sample_rate)),
        "laughter": r(laughter_score(samples, sample_rate)),
    }
