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


def _first_sound(samples: np.ndarray) -> float:
    return float(np.argmax(np.abs(samples) > 0.05)) / 16_000


def test_audio_that_starts_late_keeps_the_video_timeline(tmp_path: Path) -> None:
    """A beep at 2 s of the audio, the audio starting 3 s into the file: the beep is at 5 s
    of the video, and so must it be in the samples (moments were placed 3 s early)."""
    beep = "aevalsrc='0.5*sin(2*PI*800*t)*between(t,2,2.5)':s=44100:d=6"
    path = tmp_path / "late.mp4"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:r=25:d=9"),
            *("-itsoffset", "3", "-f", "lavfi", "-i", beep),
            *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)),
        ]
    )
    samples = decode_audio(path)
    assert _first_sound(samples) == pytest.approx(5.0, abs=0.05)
    assert len(samples) / 16_000 == pytest.approx(9.0, abs=0.1)


def test_a_hole_in_the_audio_timestamps_is_silence(tmp_path: Path) -> None:
    """Sound jumps 4 s ahead at 2 s (a stretch lost from a download): what follows the hole
    stays at its own time, and the hole is silence."""
    tone = "aevalsrc='0.3*sin(2*PI*440*t)':s=44100:d=4"
    path = tmp_path / "hole.mkv"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", tone),
            *("-af", "asetpts='if(gte(T,2),PTS+4/TB,PTS)'", "-c:a", "pcm_s16le", str(path)),
        ]
    )
    samples = decode_audio(path)
    assert len(samples) / 16_000 == pytest.approx(8.0, abs=0.05)
    rms = [float(np.sqrt(np.mean(samples[i * 16_000 : (i + 1) * 16_000] ** 2))) for i in range(8)]
    assert min(rms[0:2]) > 0.1 and min(rms[6:8]) > 0.1
    assert float(np.abs(samples[int(2.1 * 16_000) : int(5.9 * 16_000)]).max()) < 1e-3


def test_video_without_audio_gives_no_samples(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:d=1", str(path)])
    assert decode_audio(path).size == 0


def test_non_media_raises_invalid_media(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n" * 10)
    with pytest.raises(InvalidMedia, match="cannot open"):
        decode_audio(path)
