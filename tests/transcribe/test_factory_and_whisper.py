"""Engine selection, and faster-whisper's model-missing errors (no model can be fetched here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clippy.config import Settings
from clippy.transcribe.base import ModelMissing, NoTranscriber, TranscriberError
from clippy.transcribe.factory import make_transcriber
from clippy.transcribe.whisper_engine import FasterWhisperTranscriber, check_model_dir


def test_factory_picks_engines(tmp_path: Path) -> None:
    assert make_transcriber(Settings(transcriber="none")).name == "none"
    assert make_transcriber(Settings()).name == "pocketsphinx"
    with pytest.raises(TranscriberError, match="unknown CLIPPY_TRANSCRIBER"):
        make_transcriber(Settings(transcriber="magic"))
    with pytest.raises(TranscriberError, match="CLIPPY_OPENAI_API_KEY"):
        make_transcriber(Settings(transcriber="openai"))
    assert isinstance(make_transcriber(Settings(transcriber="none")), NoTranscriber)


def test_whisper_without_model_dir_says_what_to_do() -> None:
    with pytest.raises(ModelMissing, match="CLIPPY_WHISPER_MODEL_DIR"):
        make_transcriber(Settings(transcriber="faster-whisper"))


def test_whisper_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ModelMissing) as err:
        FasterWhisperTranscriber(missing)
    assert str(missing) in str(err.value) and "clippy models download" in str(err.value)


def test_whisper_directory_without_model(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelMissing, match=r"model\.bin not found"):
        check_model_dir(tmp_path)


def test_whisper_corrupt_model_is_reported(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.bin").write_bytes(b"not a ctranslate2 model")
    with pytest.raises(ModelMissing, match="could not be loaded"):
        FasterWhisperTranscriber(tmp_path)
