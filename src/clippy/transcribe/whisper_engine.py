"""faster-whisper (CTranslate2) on the CPU: the default engine, fully offline.

Measured with benchmarks/transcribe_bench.py on espeak-ng voices over pink noise: Whisper
tiny.en (int8) makes about 5x fewer word errors than PocketSphinx. Its voice-activity filter
(Silero, bundled with faster-whisper) stays on and ``guards`` drops what Whisper invents on
silence and music.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from clippy.transcribe.base import ModelMissing, TranscriberError, TranscriptChunk, Word
from clippy.transcribe.guards import DecodedSegment, trusted_words
from clippy.transcribe.languages import AUTO, english_only_refusal

_HOWTO = (
    "copy a CTranslate2 Whisper model directory (model.bin, config.json, tokenizer.json, "
    "vocabulary.txt) there, or unset CLIPPY_WHISPER_MODEL_DIR to use the bundled tiny.en"
)
# Pieces decoded together by ``transcribe_batched``: on one CPU thread 8 and 16 cost the same
# per audio second (measured), 8 holds less memory.
BATCH_SIZE = 8
# Silero VAD: speech needs 250 ms; 400 ms of silence ends a region, 200 ms kept either side so
# word edges are not clipped.
_VAD = {"min_silence_duration_ms": 400, "speech_pad_ms": 200, "threshold": 0.5}


def check_model_dir(model_dir: Path) -> Path:
    """``model_dir`` if it holds a CTranslate2 model; ``ModelMissing`` says what to do."""
    path = Path(model_dir).expanduser()
    if not path.is_dir():
        raise ModelMissing(f"no faster-whisper model at {path} (missing directory): {_HOWTO}")
    missing = [f for f in ("model.bin", "config.json") if not (path / f).is_file()]
    if missing:
        raise ModelMissing(
            f"no faster-whisper model at {path} ({', '.join(missing)} not found): {_HOWTO}"
        )
    return path


class FasterWhisperTranscriber:
    """Whisper with word timestamps, the previous text as prompt, VAD and hallucination guards."""

    name = "faster-whisper"

    def __init__(
        self,
        model_dir: Path,
        *,
        compute_type: str = "int8",
        language: str = "",
        beam_size: int = 1,
        cpu_threads: int = 0,
        model_name: str = "",
    ) -> None:
        path = check_model_dir(model_dir)
        self._model_name = model_name or path.name
        # Nothing may reach for a model hub: the weights are local, and huggingface_hub must
        # not even try (it would hang for minutes on a machine without internet).
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # It logs every window at INFO ("Processing audio with duration …"): noise for a user.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise ModelMissing(
                "faster-whisper is not installed: run scripts/setup.sh (or pip install -e .)"
            ) from None
        try:
            self._model: Any = WhisperModel(
                str(path),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=cpu_threads,
                local_files_only=True,
            )
        except Exception as exc:  # CTranslate2 raises plain RuntimeErrors for bad models
            raise ModelMissing(
                f"the speech model at {path / 'model.bin'} could not be loaded ({exc}): {_HOWTO}"
            ) from exc
        self.multilingual = bool(self._model.model.is_multilingual)
        if not self.multilingual:
            refusal = english_only_refusal(self.model_label, language)
            if refusal:
                raise TranscriberError(refusal)
        self.language = self._language(language)
        self.beam_size = beam_size
        self._batched: Any = None

    @property
    def model_label(self) -> str:
        return f"Whisper {self._model_name}"

    def _language(self, language: str) -> str:
        """The code to decode with ("" lets Whisper detect it)."""
        code = language.strip().lower()
        if code in ("", AUTO):
            return "" if self.multilingual else "en"
        if not self.multilingual:
            # Never decode another language as English: that writes fluent nonsense.
            refusal = english_only_refusal(self.model_label, code)
            if refusal:
                raise TranscriberError(refusal)
        return code

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        start_time: float,
        chunk_id: str,
        prompt: str = "",
        language: str | None = None,
    ) -> TranscriptChunk:
        """See ``Transcriber.transcribe``; the language changes per call, the model stays."""
        code = self.language if language is None else self._language(language)
        try:
            segments, info = self._model.transcribe(
                audio.astype(np.float32, copy=False),
                language=code or None,
                beam_size=self.beam_size,
                word_timestamps=True,
                initial_prompt=prompt or None,
                vad_filter=True,
                vad_parameters=_VAD,
                # Each window gets its context from ``prompt``; carrying the decoder's own
                # output forward is what lets one bad segment start a repeated-phrase loop.
                condition_on_previous_text=False,
                hallucination_silence_threshold=2.0,
            )
            decoded = [_decoded(seg, start_time) for seg in segments]
        except Exception as exc:
            raise TranscriberError(f"faster-whisper failed: {exc}") from exc
        return TranscriptChunk(
            chunk_id, start_time, trusted_words(decoded), language=str(info.language or "")
        )

    def transcribe_batched(
        self, audio: np.ndarray, *, start_time: float, language: str | None = None
    ) -> TranscriptChunk:
        """A whole recording at once (``clippy process``): the voice-activity filter packs its
        speech into pieces of up to 30 s, each encoded once and decoded ``BATCH_SIZE`` at a
        time, with no prompt. Sequential windows cost more per audio second: Whisper re-reads
        the end of every 30 s window it could not finish (measured on the planted stream)."""
        from faster_whisper import BatchedInferencePipeline

        code = self.language if language is None else self._language(language)
        self._batched = self._batched or BatchedInferencePipeline(self._model)
        try:
            segments, info = self._batched.transcribe(
                audio.astype(np.float32, copy=False),
                language=code or None,
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=True,
                vad_parameters=dict(_VAD),
                batch_size=BATCH_SIZE,
            )
            decoded = [_decoded(seg, start_time) for seg in segments]
        except Exception as exc:
            raise TranscriberError(f"faster-whisper failed: {exc}") from exc
        return TranscriptChunk(
            f"batch{start_time:.0f}",
            start_time,
            trusted_words(decoded),
            language=str(info.language or ""),
        )


def _decoded(seg: Any, start_time: float) -> DecodedSegment:
    words: list[Word] = []
    for w in seg.words or []:
        text = w.word.strip()
        if not text:
            continue
        if words and not w.word.startswith(" "):
            # A piece without its leading space continues the word before ("light" "-ated"):
            # one word for captions, titles and phrase matching.
            prev = words.pop()
            conf = min(prev.confidence, float(w.probability))
            words.append(Word(prev.text + text, prev.start, start_time + w.end, conf))
            continue
        words.append(Word(text, start_time + w.start, start_time + w.end, float(w.probability)))
    return DecodedSegment(
        seg.text,
        float(seg.avg_logprob),
        float(seg.no_speech_prob),
        float(seg.compression_ratio),
        words,
    )


def download_model(name: str, target_dir: Path) -> Path:
    """Download a faster-whisper model (e.g. ``small.en``) into ``target_dir`` (needs internet;
    only ever run by hand, ``clippy models download``)."""
    try:
        from faster_whisper import download_model as fw_download
    except ImportError:
        raise ModelMissing("faster-whisper is not installed: run scripts/setup.sh") from None
    target_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Path(fw_download(name, output_dir=str(target_dir)))
    except Exception as exc:
        raise TranscriberError(
            f"could not download {name!r} (this needs internet access to huggingface.co): {exc}"
        ) from exc
