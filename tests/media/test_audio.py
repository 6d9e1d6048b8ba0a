"""Decoding audio to mono float32 samples with PyAV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clippy.media.audio import decode_audio
from clippy.media.probe import InvalidMedia
from tests.fixtures.media import SegmentFile, run


def test_decodes_a_segment_at_16k_mono(webm_segments: list[SegmentFile]) -> None:
    seg = webm_segments[0]
    samples = decode_audio(seg.path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert len(samples) / 16_000 == pytest.approx(seg.duration, abs=0.05)
    # Spoken English, not silence; float samples stay within full scale.
    assert 0.01 < float(np.sqrt(np.mean(samples**2))) < 1.0
    assert float(np.abs(samples).max()) <= 1.0


def test_sample_rate_sets_the_length(webm_segments: list[SegmentFile]) -> None:
    low = decode_audio(webm_segments[0].path, sample_rate=8_000)
    high = decode_audio(webm_segments[0].path, sample_rate=48_000)
    assert len(high) == pytest.approx(6 * len(low), rel=0.002)


def test_tone_frequency_survives_resampling(tmp_path: Path) -> None:
    wav = tmp_path / "tone.wav"
    run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=1000:r=44100:d=1", str(wav)])
    samples = decode_audio(wav, sample_rate=16_000)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * 16_000 / len(samples)
    assert peak_hz == pytest.approx(1000, abs=5)


def test_video_without_audio_gives_no_samples(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:d=1", str(path)])
    assert decode_audio(path).size == 0


def test_non_media_raises_invalid_media(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n" * 10)
    with pytest.raises(InvalidMedia, match="cannot open"):
        decode_audio(path)
