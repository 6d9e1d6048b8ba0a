"""Speech recognition: real-time factor and word error rate of each engine available here.

Sentences are spoken by espeak-ng (no recordings of real people ship in a registry package),
so absolute WER is pessimistic for real streams; compare engines and settings with it.
faster-whisper is measured when CLIPPY_WHISPER_MODEL_DIR points at a model.

    .venv/bin/python benchmarks/transcribe_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.transcribe.speech import SENTENCES, spoken, wer  # noqa: E402

from clippy.config import Settings  # noqa: E402
from clippy.transcribe.base import Transcriber  # noqa: E402
from clippy.transcribe.pocketsphinx_engine import PocketSphinxTranscriber  # noqa: E402


def measure(name: str, engine: Transcriber, audios: list) -> None:  # type: ignore[type-arg]
    pairs = []
    seconds = 0.0
    t = time.perf_counter()
    for text, audio in zip(SENTENCES, audios, strict=True):
        pairs.append((text, engine.transcribe(audio, start_time=0, chunk_id="b").text))
        seconds += len(audio) / 16000
    rtf = (time.perf_counter() - t) / seconds
    print(f"| {name} | {rtf:.3f} | {wer(pairs):.2f} |")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        audios = [spoken(s, Path(tmp) / f"{i}.wav") for i, s in enumerate(SENTENCES)]
    print("| engine | real-time factor (1 core) | WER |")
    measure("pocketsphinx (clippy settings)", PocketSphinxTranscriber(), audios)
    measure("pocketsphinx (library defaults)", PocketSphinxTranscriber(fast=False), audios)
    settings = Settings()
    if settings.whisper_model_dir:
        from clippy.transcribe.whisper_engine import FasterWhisperTranscriber

        measure("faster-whisper", FasterWhisperTranscriber(settings.whisper_model_dir), audios)
    else:
        print("| faster-whisper | - | - | (no model here: set CLIPPY_WHISPER_MODEL_DIR)")
    print("reproduce: .venv/bin/python benchmarks/transcribe_bench.py")


if __name__ == "__main__":
    main()
