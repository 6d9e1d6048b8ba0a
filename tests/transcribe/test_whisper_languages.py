"""A stream's language reaches Whisper per call, without reloading the model: German and
Spanish espeak-ng speech recognised by the multilingual base model comes out in German and
Spanish, auto-detect names the language, and English-only tiny.en refuses rather than guess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import wave
from pathlib import Path

import numpy as np
import pytest

from clippy.config import Settings
from clippy.transcribe import TranscriberError
from clippy.transcribe.factory import make_transcriber
from clippy.transcribe.whisper_engine import FasterWhisperTranscriber
from tests.fixtures.speech import espeak

pytestmark = pytest.mark.timeout(600)

GERMAN = "guten abend und willkommen zurück heute spielen wir zusammen ein neues spiel"
SPANISH = "hola amigos bienvenidos a mi canal hoy vamos a jugar juntos"
# Words only English has: a German stream decoded as English would be full of these.
_ENGLISH = {"the", "and", "we", "to", "is", "with", "you", "today", "together"}


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z ]", "", "".join(c for c in folded if not unicodedata.combining(c)))


def _found(reference: str, words: list[str]) -> float:
    """The share of the reference's words that were heard."""
    heard = {_plain(w) for w in words}
    ref = _plain(reference).split()
    return sum(w in heard for w in ref) / len(ref)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> FasterWhisperTranscriber:
    data = tmp_path_factory.getbasetemp() / "whisper-base-data"  # reassembled once per worker
    engine = make_transcriber(Settings(whisper_model="base", data_dir=data))
    assert isinstance(engine, FasterWhisperTranscriber) and engine.multilingual
    return engine


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    d = tmp_path_factory.mktemp("voices")
    pad = np.zeros(8000, np.float32)
    # espeak-ng's Spanish is hard to follow fast: base misheard half of it at 140 words/min.
    spoken = (("de", "de", 140, GERMAN), ("es", "es+f3", 125, SPANISH))
    return {
        lang: np.concatenate([pad, espeak(text, voice, Path(d) / f"{lang}.wav", speed), pad])
        for lang, voice, speed, text in spoken
    }


@pytest.mark.parametrize(("lang", "text"), [("de", GERMAN), ("es", SPANISH)])
def test_the_streams_language_gives_words_in_it(
    base: FasterWhisperTranscriber, voices: dict[str, np.ndarray], lang: str, text: str
) -> None:
    model = base._model
    chunk = base.transcribe(voices[lang], start_time=5.0, chunk_id="c", language=lang)
    words = [w.text for w in chunk.words]
    assert chunk.language == lang
    assert _found(text, words) >= 0.6, words
    assert not {_plain(w) for w in words} & _ENGLISH, words
    assert all(w.start >= 5.0 for w in chunk.words)
    assert base._model is model  # the language changed per call; the model was not reloaded


def test_auto_detect_names_the_language(
    base: FasterWhisperTranscriber, voices: dict[str, np.ndarray]
) -> None:
    chunk = base.transcribe(voices["de"], start_time=0.0, chunk_id="c", language="auto")
    assert chunk.language == "de"
    assert _found(GERMAN, [w.text for w in chunk.words]) >= 0.5


def test_english_only_model_refuses_german_instead_of_guessing(
    voices: dict[str, np.ndarray],
) -> None:
    tiny = make_transcriber(Settings())
    with pytest.raises(TranscriberError) as err:
        tiny.transcribe(voices["de"], start_time=0.0, chunk_id="c", language="de")
    assert "English only" in str(err.value) and "CLIPPY_WHISPER_MODEL=base" in str(err.value)
    # "auto" on an English-only model means English: no refusal.
    tiny.transcribe(voices["de"][:16000], start_time=0.0, chunk_id="c", language="auto")


def _cli(*args: str, data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clippy.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CLIPPY_DATA_DIR": str(data), **env},
        timeout=300,
        check=False,
    )


def test_transcribe_and_process_take_the_language_spoken(
    base: FasterWhisperTranscriber,
    voices: dict[str, np.ndarray],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    audio = tmp_path / "de.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(voices["de"], -1, 1) * 32767).astype("<i2").tobytes())
    data = tmp_path_factory.getbasetemp() / "whisper-base-data"  # base, reassembled once
    out = _cli("transcribe", str(audio), "--language", "de", data=data, CLIPPY_WHISPER_MODEL="base")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["language"] == "de"
    assert _found(GERMAN, [w["text"] for w in result["words"]]) >= 0.6, result["words"]
    # The default tiny.en refuses German before any work, naming the fix; so does process.
    for command in ("transcribe", "process"):
        bad = _cli(command, str(audio), "--language", "de", data=tmp_path / "data")
        lines = bad.stderr.strip().splitlines()
        assert bad.returncode == 2 and len(lines) == 1, bad.stderr
        assert "English only" in lines[0] and "CLIPPY_WHISPER_MODEL=base" in lines[0]
    unknown = _cli("transcribe", str(audio), "--language", "klingon", data=tmp_path / "data")
    assert unknown.returncode == 2 and "--language" in unknown.stderr
