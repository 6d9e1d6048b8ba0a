"""A streamer's own detection preferences: key phrases and a prompt for the LLM judge.

They live in ``User.settings["detection"]`` (JSON, no table of their own). Everything here is
pure: validation of what the settings form sends, and reading/merging the stored JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clippy.accounts import get_plan
from clippy.detect.phrases import clean_phrase, normalize
from clippy.errors import InvalidInput

MAX_PHRASES = 50
MAX_PHRASE_WORDS = 6
MAX_PHRASE_CHARS = 60
MAX_PROMPT_CHARS = 2000
MAX_COMMAND_CHARS = 30
SETTINGS_KEY = "detection"
_SHOWN_PROBLEMS = 3  # a form error lists this many bad phrases, then "and N more"


class InvalidPreferences(InvalidInput):
    """What the settings form sent cannot be saved; the message says what to change."""


@dataclass(frozen=True)
class DetectionPrefs:
    """A user's key phrases (each said aloud makes a clip) and their prompt for the judge."""

    key_phrases: tuple[str, ...] = ()
    prompt: str = ""
    clip_command: str | None = None  # viewers' clip command; None: the server's ("!clip")


def parse_key_phrases(text: str) -> tuple[str, ...]:
    """Phrases from the form (one per line or comma-separated), normalised, duplicates dropped.

    Raises ``InvalidPreferences`` naming the phrases that are empty, too long or too wordy,
    or when more than ``MAX_PHRASES`` remain.
    """
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    problems: list[str] = []
    for raw in text.replace(",", "\n").splitlines():
        item = " ".join(raw.split())
        if not item:
            continue
        phrase = clean_phrase(item)
        words = phrase.split()
        if not words:
            problems.append(f"“{item[:MAX_PHRASE_CHARS]}” has no letters or digits")
        elif len(phrase) > MAX_PHRASE_CHARS:
            problems.append(
                f"“{phrase[:30]}…” is {len(phrase)} characters (at most {MAX_PHRASE_CHARS})"
            )
        elif len(words) > MAX_PHRASE_WORDS:
            problems.append(f"“{phrase}” has {len(words)} words (at most {MAX_PHRASE_WORDS})")
        else:
            # "OMG" and "oh my god" are one phrase to the detector: keep the first spelling.
            key = tuple(normalize(phrase))
            if key not in seen:
                seen.add(key)
                out.append(phrase)
    if problems:
        more = len(problems) - _SHOWN_PROBLEMS
        listed = "; ".join(problems[:_SHOWN_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
        raise InvalidPreferences(f"Some key phrases cannot be used: {listed}.")
    if len(out) > MAX_PHRASES:
        raise InvalidPreferences(
            f"{len(out)} key phrases given; at most {MAX_PHRASES} are allowed. Remove"
            f" {len(out) - MAX_PHRASES}."
        )
    return tuple(out)


def clean_prompt(text: str) -> str:
    """The prompt with line endings unified and outer blank space removed; refused when over
    ``MAX_PROMPT_CHARS`` characters."""
    prompt = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidPreferences(
            f"The detection prompt is {len(prompt):,} characters long; at most"
            f" {MAX_PROMPT_CHARS:,} are allowed."
        )
    return prompt


def clean_clip_command(text: str) -> str:
    """The viewers' clip command: one word such as ``!clip`` (empty turns it off); refused
    when it has spaces or is over ``MAX_COMMAND_CHARS`` characters."""
    command = text.strip()
    if len(command.split()) > 1:
        raise InvalidPreferences(f"The clip command “{command[:30]}” must be one word, like !clip.")
    if len(command) > MAX_COMMAND_CHARS:
        raise InvalidPreferences(
            f"The clip command is {len(command)} characters; at most {MAX_COMMAND_CHARS}."
        )
    return command


def validate(key_phrases: str, prompt: str, clip_command: str | None = None) -> DetectionPrefs:
    """The form fields checked and cleaned (see ``parse_key_phrases``, ``clean_prompt`` and
    ``clean_clip_command``; a ``clip_command`` of None keeps the server's)."""
    command = None if clip_command is None else clean_clip_command(clip_command)
    return DetectionPrefs(parse_key_phrases(key_phrases), clean_prompt(prompt), command)


def stored_prefs(user_settings: Mapping[str, Any] | None) -> DetectionPrefs:
    """The preferences kept in a user's settings JSON (whatever the plan; empty if none)."""
    data = (user_settings or {}).get(SETTINGS_KEY)
    if not isinstance(data, Mapping):
        return DetectionPrefs()
    phrases = data.get("key_phrases")
    prompt = data.get("prompt")
    command = data.get("clip_command")
    return DetectionPrefs(
        tuple(str(p) for p in phrases) if isinstance(phrases, list) else (),
        prompt if isinstance(prompt, str) else "",
        command if isinstance(command, str) else None,
    )


def with_prefs(user_settings: Mapping[str, Any] | None, prefs: DetectionPrefs) -> dict[str, Any]:
    """A new settings dict holding ``prefs`` and every other key unchanged.

    A new object, not an in-place change: the JSON column only notices reassignment.
    """
    stored: dict[str, Any] = {"key_phrases": list(prefs.key_phrases), "prompt": prefs.prompt}
    if prefs.clip_command is not None:
        stored["clip_command"] = prefs.clip_command
    return {**(user_settings or {}), SETTINGS_KEY: stored}


def plan_allows(plan_name: str) -> bool:
    """Whether the plan lets a user's own phrases and prompt steer detection."""
    return get_plan(plan_name).custom_detection


def effective_prefs(plan_name: str, user_settings: Mapping[str, Any] | None) -> DetectionPrefs:
    """What detection uses for this user: the stored preferences while the plan allows them.

    Kept after a downgrade (they come back with the plan) but not applied meanwhile.
    """
    return stored_prefs(user_settings) if plan_allows(plan_name) else DetectionPrefs()
