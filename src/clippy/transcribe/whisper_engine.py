"""faster-whisper (CTranslate2) with a model directory the user installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from clippy.transcribe.base import ModelMissing, TranscriberError, TranscriptChunk, Word

_HOWTO = (
    "on a machine with internet run `clippy models download small.en --dir {dir}` "
    "(or copy a CTranslate2 Whisper model directory there), then set "
    "CLIPPY_WHISPER_MODEL_DIR={dir}"
)


def check_model_dir(model_dir: Path | None) -> Path:
    """The model directory if it holds a CTranslate2 model; ``ModelMissing`` says what to do."""
    if model_dir is None:
        raise ModelMissing(
            "CLIPPY_TRANSCRIBER=faster-whisper needs CLIPPY_WHISPER_MODEL_DIR: "
            + _HOWTO.format(dir="/path/to/model")
        )
    path = Path(model_dir).expanduser()
    if not path.is_dir():
        raise ModelMissing(
            f"no faster-whisper model at {path} (missing directory): " + _HOWTO.format(dir=path)
        )
    missing = [f for f in ("model.bin", "config.json") if not (path / f).is_file()]
    if missing:
        raise ModelMissing(
            f"no faster-whisper model at {path} ({', '.join(missing)} not found): "
            + _HOWTO.format(dir=path)
        )
    return path


class FasterWhisperTranscriber:
    """Whisper via CTranslate2 on the CPU, with word timestamps and the previous text as prompt."""

    name = "faster-whisper"

    def __init__(self, model_dir: Path | None, *, compute_type: str = "int8") -> None:
        path = check_model_dir(model_dir)
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise ModelMissing(
                "faster-whisper is not installed: pip install 'clippy[whisper]'"
            ) from None
        try:
            self._model: Any = WhisperModel(str(path), device="cpu", compute_type=compute_type)
        except Exception as exc:  # CTranslate2 raises plain RuntimeErrors for bad models
            raise ModelMissing(f"the model at {path} could not be loaded: {exc}") from exc

    def transcribe(
        self, audio: np.ndarray, *, start_time: float, chunk_id: str, prompt: str = ""
    ) -> TranscriptChunk:
        try:
            segments, _info = self._model.transcribe(
                audio.astype(np.float32),
                word_timestamps=True,
                initial_prompt=prompt or None,
                vad_filter=True,
                condition_on_previous_text=False,
            )
            words = [
                Word(w.word.strip(), start_time + w.start, start_time + w.end, float(w.probability))
                for seg in segments
                for w in (seg.words or [])
                if w.word.strip()
            ]
        except Exception as exc:
            raise TranscriberError(f"faster-whisper failed: {exc}") from exc
        return TranscriptChunk(chunk_id, start_time, words)


def download_model(name: str, target_dir: Path) -> Path:
    """Download a faster-whisper model (e.g. ``small.en``) into ``target_dir`` (needs internet)."""
    try:
        from faster_whisper import download_model as fw_download
    except ImportError:
        raise ModelMissing(
            "faster-whisper is not installed: pip install 'clippy[whisper]'"
        ) from None
    target_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Path(fw_download(name, output_dir=str(target_dir)))
    except Exception as exc:
        raise TranscriberError(
            f"could not download {name!r} (this needs internet access to huggingface.co): {exc}"
        ) from exc
