"""The offline default engine on real (synthesised) speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clippy.transcribe.base import TranscriptChunk
from clippy.transcribe.pocketsphinx_engine import PocketSphinxTranscriber
from tests.transcribe.speech import SENTENCES, spoken, wer, word_errors


@pytest.fixture(scope="module")
def engine() -> PocketSphinxTranscriber:
    return PocketSphinxTranscriber()


def test_word_error_rate_on_known_sentences(
    engine: PocketSphinxTranscriber, tmp_path: Path
) -> None:
    pairs = []
    for i, text in enumerate(SENTENCES):
        audio = spoken(text, tmp_path / f"s{i}.wav")
        pairs.append((text, engine.transcribe(audio, start_time=0, chunk_id=str(i)).text))
    # Measured 0.36 on these sentences with espeak-ng's f2 voice; 0.5 leaves room for
    # platform differences while still failing if recognition breaks.
    assert wer(pairs) < 0.5, pairs


def test_words_are_timed_in_stream_time(engine: PocketSphinxTranscriber, tmp_path: Path) -> None:
    audio = spoken(SENTENCES[0], tmp_path / "a.wav")
    chunk = engine.transcribe(audio, start_time=100.0, chunk_id="c7", prompt="ignored")
    assert chunk.chunk_id == "c7" and chunk.words
    duration = len(audio) / 16000
    starts = [w.start for w in chunk.words]
    assert starts == sorted(starts)
    for w in chunk.words:
        assert 100.0 <= w.start < w.end <= 100.0 + duration + 0.05
        assert 0.0 <= w.confidence <= 1.0
        assert w.text == w.text.lower() and "<" not in w.text and "(" not in w.text
    # Speech starts after the 0.5 s pad.
    assert chunk.words[0].start >= 100.3
    assert word_errors("hello world", " ".join(w.text for w in chunk.words[:2])) <= 1


def test_silence_gives_no_words(engine: PocketSphinxTranscriber) -> None:
    chunk = engine.transcribe(np.zeros(16000 * 3, np.float32), start_time=5, chunk_id="s")
    assert chunk.words == []


def test_json_shape_round_trips(engine: PocketSphinxTranscriber, tmp_path: Path) -> None:
    chunk = engine.transcribe(spoken(SENTENCES[1], tmp_path / "b.wav"), start_time=3, chunk_id="x")
    data = chunk.to_json()
    assert set(data) == {"chunk_id", "start_time", "transcript"}
    assert all(set(w) == {"text", "start", "end", "confidence"} for w in data["transcript"])
    assert TranscriptChunk.from_json(data).to_json() == data
