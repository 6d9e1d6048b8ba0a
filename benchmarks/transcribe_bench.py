"""Speech recognition: word error rate and real-time factor of each engine, side by side.

The set is the tests' (tests/fixtures/speech.py): 42 streamer-style sentences, five espeak-ng
voices, game noise 15 dB under the speech, about 2.5 minutes. Every engine hears it the way
``clippy process`` does (120 s windows, previous text as prompt), on one thread, in one run so
that the machine's load hits all rows alike; the tiny.en rows after the first show where
Whisper's time goes (beam, int8, threads, word timestamps, 10 s live windows).

    .venv/bin/python benchmarks/transcribe_bench.py
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from tests.fixtures.speech import SR, make_speech_set  # noqa: E402
from tests.transcribe.speech import wer  # noqa: E402

from clippy.config import Settings  # noqa: E402
from clippy.transcribe.base import ModelMissing, Transcriber  # noqa: E402
from clippy.transcribe.factory import whisper_model_path  # noqa: E402
from clippy.transcribe.pocketsphinx_engine import PocketSphinxTranscriber  # noqa: E402
from clippy.transcribe.rolling import transcribe_span  # noqa: E402
from clippy.transcribe.whisper_engine import FasterWhisperTranscriber  # noqa: E402


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())


def _whisper(model: str, **kw: object) -> Callable[[], Transcriber]:
    path = whisper_model_path(Settings(whisper_model=model))
    opts = {"cpu_threads": 1, **kw}
    return lambda: FasterWhisperTranscriber(path, model_name=model, **opts)  # type: ignore[arg-type]


def measure(
    name: str, make: Callable[[], Transcriber], audio: np.ndarray, ref: str, window: float
) -> None:
    engine = make()
    t = time.perf_counter()
    heard = transcribe_span(engine, audio, 0.0, window_seconds=window, overlap_seconds=1.0)
    rtf = (time.perf_counter() - t) / (len(audio) / SR)
    rate = wer([(ref, _plain(" ".join(w.text for w in heard.words)))])
    print(
        f"| {name} | {rate:.3f} | {rtf:.3f} | {1 / rtf:.1f} | {os.getloadavg()[0]:.1f} |",
        flush=True,
    )


def vad_seconds(audio: np.ndarray) -> float:
    """Time of Silero VAD alone over ``audio`` (faster-whisper's filter)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    t = time.perf_counter()
    get_speech_timestamps(audio, VadOptions())
    return time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        speech = make_speech_set(Path(tmp))
    audio, ref = speech.audio, speech.text
    minutes = len(audio) / SR / 60
    print(
        f"{len(speech.references)} sentences, {len(set(speech.voices))} voices, {minutes:.1f} min"
    )
    print("| engine (1 thread unless said) | WER | real-time factor | x real time | load |")
    print("| --- | --- | --- | --- | --- |")
    measure("pocketsphinx (clippy's fast search)", PocketSphinxTranscriber, audio, ref, 120)
    measure(
        "pocketsphinx (library defaults)",
        lambda: PocketSphinxTranscriber(fast=False),
        audio,
        ref,
        120,
    )
    measure("whisper tiny.en int8 (default)", _whisper("tiny.en"), audio, ref, 120)
    try:
        measure("whisper base int8", _whisper("base", language="en"), audio, ref, 120)
    except ModelMissing as exc:  # base is an optional extra
        print(f"| whisper base int8 | not installed: {exc} | - | - | - |")
    measure("tiny.en int8, beam 5", _whisper("tiny.en", beam_size=5), audio, ref, 120)
    measure("tiny.en float32", _whisper("tiny.en", compute_type="float32"), audio, ref, 120)
    measure("tiny.en int8, 2 threads", _whisper("tiny.en", cpu_threads=2), audio, ref, 120)
    measure("tiny.en int8, 10 s live windows", _whisper("tiny.en"), audio, ref, 10)
    print(f"| Silero VAD alone | - | {vad_seconds(audio) / (len(audio) / SR):.4f} | - | - |")
    print("reproduce: .venv/bin/python benchmarks/transcribe_bench.py")


if __name__ == "__main__":
    main()
