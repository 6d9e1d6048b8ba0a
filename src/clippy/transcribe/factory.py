"""Build the transcriber the settings name."""

from __future__ import annotations

from clippy.config import Settings
from clippy.transcribe.base import NoTranscriber, Transcriber, TranscriberError

ENGINES = ("pocketsphinx", "faster-whisper", "openai", "none")


def make_transcriber(settings: Settings) -> Transcriber:
    """The engine named by ``CLIPPY_TRANSCRIBER`` (pocketsphinx by default)."""
    name = settings.transcriber.strip().lower()
    if name == "pocketsphinx":
        from clippy.transcribe.pocketsphinx_engine import PocketSphinxTranscriber

        return PocketSphinxTranscriber()
    if name == "faster-whisper":
        from clippy.transcribe.whisper_engine import FasterWhisperTranscriber

        return FasterWhisperTranscriber(
            settings.whisper_model_dir, compute_type=settings.whisper_compute_type
        )
    if name == "openai":
        from clippy.transcribe.openai_engine import OpenAITranscriber

        return OpenAITranscriber(
            settings.openai_api_key, settings.openai_base_url, settings.openai_transcribe_model
        )
    if name == "none":
        return NoTranscriber()
    raise TranscriberError(
        f"unknown CLIPPY_TRANSCRIBER {name!r}; choose one of {', '.join(ENGINES)}"
    )
