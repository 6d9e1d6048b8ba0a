"""Build the transcriber the settings name."""

from __future__ import annotations

from pathlib import Path

from clippy.config import Settings
from clippy.transcribe.base import NoTranscriber, Transcriber, TranscriberError

ENGINES = ("faster-whisper", "pocketsphinx", "openai", "none")


def whisper_model_path(settings: Settings) -> Path:
    """The checked Whisper model directory: the user's ``CLIPPY_WHISPER_MODEL_DIR``, else the
    bundled ``CLIPPY_WHISPER_MODEL`` (hash-verified; ``base`` reassembled on first use)."""
    from clippy.transcribe.models import BUNDLED, bundled_model_dir
    from clippy.transcribe.whisper_engine import check_model_dir, english_only_refusal

    if settings.whisper_model_dir is not None:
        return check_model_dir(settings.whisper_model_dir)
    name = settings.whisper_model.strip()
    model = BUNDLED.get(name)
    if model is not None and model.english_only:
        # Refuse before any work: an English-only model given another language is a set-up
        # error, not something to discover in every window.
        refusal = english_only_refusal(name, settings.whisper_language)
        if refusal:
            raise TranscriberError(refusal)
    return bundled_model_dir(name, settings.data_dir)


def make_transcriber(settings: Settings) -> Transcriber:
    """The engine named by ``CLIPPY_TRANSCRIBER`` (faster-whisper with tiny.en by default)."""
    name = settings.transcriber.strip().lower()
    if name == "faster-whisper":
        from clippy.transcribe.whisper_engine import FasterWhisperTranscriber

        return FasterWhisperTranscriber(
            whisper_model_path(settings),
            compute_type=settings.whisper_compute_type,
            language=settings.whisper_language,
            beam_size=settings.whisper_beam_size,
            cpu_threads=settings.whisper_threads,
            model_name="" if settings.whisper_model_dir else settings.whisper_model,
        )
    if name == "pocketsphinx":
        from clippy.transcribe.pocketsphinx_engine import PocketSphinxTranscriber

        return PocketSphinxTranscriber()
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


def check_transcriber(settings: Settings) -> None:
    """Fail fast, before a server or a run starts, when the configured engine cannot work:
    its model is missing or corrupted, or it cannot serve the configured language.

    The bundled models are checked by hash (cheap); a user's own model directory is loaded once,
    since nothing else tells a broken one apart.
    """
    name = settings.transcriber.strip().lower()
    if name == "faster-whisper" and settings.whisper_model_dir is None:
        whisper_model_path(settings)
    else:
        make_transcriber(settings)
