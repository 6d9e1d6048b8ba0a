"""What the language pickers show (settings page: the account's default; a stream's page:
that stream's choice and the language heard in it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clippy.config import Settings
from clippy.transcribe import (
    detected_language,
    effective_language,
    language_name,
    language_support,
    stored_language,
)


def language_context(
    settings: Settings,
    user_settings: Mapping[str, Any] | None,
    stream_settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The template values of a language picker: the offered choices, the current one, what
    applies without a choice of its own, and (for a stream) the language heard most."""
    support = language_support(settings)
    choices = [(c, language_name(c)) for c in support.codes]
    if support.multilingual:
        choices.insert(0, ("auto", language_name("auto")))
    account = effective_language(user_settings, None, support)
    return {
        "support": support,
        "choices": choices,
        "account": stored_language(user_settings),
        "account_effective": account,
        "account_name": language_name(account),
        "server_default_name": language_name(support.default),
        "stream": stored_language(stream_settings),
        "detected": detected_language(stream_settings),
        "detected_name": language_name(detected_language(stream_settings)),
    }
