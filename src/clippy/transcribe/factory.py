"""Build the transcriber the settings name."""

from __future__ import annotations

from pathlib import Path

from clippy.config import Settings
from clippy.transcribe.base import NoTranscriber, Transcriber, TranscriberError
from clippy.transcribe.languages import (
    AUTO,
    LanguageSupport,
    UnsupportedLanguage,
    english_only_refusal,
    normalise,
)

ENGINES = ("faster-whisper", "pocketsphinx", "openai", "none")


def whisper_model_path(settings: Settings) -> Path:
    """The checked Whisper model directory: the user's ``CLIPPY_WHISPER_MODEL_DIR``, else the
    bundled ``CLIPPY_WHISPER_MODEL`` (hash-verified; ``base`` reassembled on first use)."""
    from clippy.transcribe.models import BUNDLED, bundled_model_dir
    from clippy.transcribe.whisper_engine import check_model_dir

    if settings.whisper_model_dir is not None:
        return check_model_dir(settings.whisper_model_dir)
    name = settings.whisper_model.strip()
    model = BUNDLED.get(name)
    if model is not None and model.english_only:
        # Refuse before any work: an English-only model given another language is a set-up
        # error, not something to discover in every window.
        refusal = english_only_refusal(f"Whisper {name}", settings.whisper_language)
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


# Whisper's English-only models have 51864 tokens; the multilingual ones one or two more (the
# language tokens). Reading the vocabulary's size answers without loading the model.
_ENGLISH_ONLY_VOCABULARY = 51864


def _dir_is_multilingual(model_dir: Path) -> bool:
    vocab = model_dir.expanduser() / "vocabulary.txt"
    if not vocab.is_file():
        return True  # unknown: the engine itself refuses what it cannot serve
    with vocab.open("rb") as f:
        return sum(1 for _ in f) > _ENGLISH_ONLY_VOCABULARY


def language_support(settings: Settings) -> LanguageSupport:
    """The languages the configured engine recognises, and the server's default choice
    (``CLIPPY_WHISPER_LANGUAGE``, else auto-detect, or English on an English-only model)."""
    from clippy.transcribe.models import BUNDLED

    engine = settings.transcriber.strip().lower()
    if engine == "faster-whisper":
        if settings.whisper_model_dir is not None:
            model = f"Whisper ({settings.whisper_model_dir.name})"
            multilingual = _dir_is_multilingual(settings.whisper_model_dir)
        else:
            bundled = BUNDLED.get(settings.whisper_model.strip())
            model = f"Whisper {settings.whisper_model.strip()}"
            multilingual = bundled is None or not bundled.english_only
    elif engine == "pocketsphinx":
        model, multilingual = "PocketSphinx", False
    else:
        model, multilingual = engine, True
    try:
        default = normalise(settings.whisper_language)
    except UnsupportedLanguage:
        default = AUTO
    if not multilingual and default == AUTO:
        default = "en"
    return LanguageSupport(model, multilingual, default)


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
