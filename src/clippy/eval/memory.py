"""Callback and prediction scenarios with real speech, scored: ``clippy eval memory``.

Each scenario is an earlier line (said hours before, among calm distractor lines) and a line
said now. Positives are callbacks ("remember yesterday when …", "… again") and predictions
that came true ("I bet …" then "I told you!"); look-alikes say "remember", "I told you" or
"again" without referring to anything remembered. Every line is spoken by espeak-ng and
recognised by the configured transcriber; memory then decides from the recognised words
(the same pure functions live detection uses). A positive counts when memory makes a clip
whose earlier range is the scenario's earlier line; a look-alike counts against precision
when memory makes any clip.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from clippy.config import Settings
from clippy.eval.planted import CALM
from clippy.eval.voice import speak
from clippy.memory import (
    CALLBACK,
    OUTCOME,
    Chunk,
    Similarity,
    best_passage,
    find_cues,
    find_prediction,
)

# Whisper tiny.en hears espeak-ng's default male voice best (it hears "I bet" from the
# planted streams' f2 voice as "I met").
VOICE = "en+m3"
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Scenario:
    """An earlier line and a line said now; ``positive`` when now refers back to earlier."""

    name: str
    earlier: str
    now: str
    positive: bool
    hours_ago: float = 20.0


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "bridge",
        "oh no i just fell off the bridge",
        "remember yesterday when i fell off the bridge",
        True,
    ),
    Scenario(
        "dragon",
        "the dragon just ate my horse",
        "remember last stream when the dragon ate my horse",
        True,
    ),
    Scenario(
        "castle",
        "we built a huge castle by the lake",
        "remember how we built the castle by the lake",
        True,
    ),
    Scenario(
        "car",
        "i crashed the car into the river",
        "i crashed the car into the river again",
        True,
        0.5,
    ),
    Scenario(
        "boss",
        "the boss killed me with one punch",
        "remember when the boss killed me with one punch",
        True,
    ),
    Scenario(
        "cat",
        "my cat walked across the keyboard",
        "remember yesterday when my cat walked across the keyboard",
        True,
    ),
    Scenario(
        "sword",
        "i sold the golden sword for one coin",
        "remember when i sold the golden sword",
        True,
    ),
    Scenario(
        "pizza",
        "the pizza delivery came during the boss fight",
        "just like last stream the pizza came during the boss fight",
        True,
    ),
    Scenario("round", "i bet i win this next round", "i told you i called it", True, 0.2),
    Scenario(
        "jump",
        "watch this i will jump over the wall",
        "told you i would jump over the wall",
        True,
        0.1,
    ),
    Scenario("shot", "i bet i hit this shot", "i told you so", True, 0.05),
    Scenario("first try", "i am going to beat the boss first try", "called it", True, 0.3),
    Scenario("map", "we need more wood before the night comes", "i remember the map now", False),
    Scenario("water", "let me check the settings", "remember to drink some water everyone", False),
    Scenario(
        "spider",
        "the storm is coming from the north",
        "remember when we fought the giant spider",
        False,
    ),
    Scenario("ladder", "i bought a new hat in the shop", "i fell off the ladder again", False),
    Scenario(
        "rules", "the weather is really nice today", "i told you the rules before", False, 0.2
    ),
    Scenario("lake", "we went to the lake yesterday", "yesterday was a really long day", False),
    Scenario("password", "i will read the chat in a moment", "i remember the password now", False),
    Scenario(
        "next time", "nice shot from the other team", "i will remember that for next time", False
    ),
    Scenario(
        "lights",
        "the bridge over the river is closed",
        "remember when we saw the northern lights",
        False,
    ),
    Scenario("rain", "i bet it rains tomorrow", "that was a great round everyone", False, 0.2),
    Scenario("follow", "i lost my keys this morning", "remember to follow the channel", False),
    Scenario(
        "like i said", "we fell asleep early last night", "like i said the map is big", False, 0.2
    ),
)


@dataclass(frozen=True)
class Outcome:
    """What memory made of one scenario."""

    name: str
    positive: bool
    clipped: bool
    right: bool  # the clip's earlier range is the scenario's earlier line
    heard_earlier: str
    heard_now: str


def _words(chunk: Any, shift: float) -> list[dict[str, Any]]:
    return [{**w.to_json(), "start": w.start + shift, "end": w.end + shift} for w in chunk.words]


def recognise_lines(lines: Sequence[str], settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Each line spoken (espeak-ng) and recognised by the configured transcriber."""
    from clippy.media.audio import decode_audio
    from clippy.transcribe import make_transcriber

    transcriber = make_transcriber(settings)
    out: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="clippy-memory-eval-") as tmp:
        for k, line in enumerate(dict.fromkeys(lines)):
            wav = Path(tmp) / f"{k}.wav"
            speak(line, wav, voice=VOICE)
            chunk = transcriber.transcribe(decode_audio(wav), start_time=0.0, chunk_id=str(k))
            out[line] = _words(chunk, 0.0)
    return out


def decide(
    sc: Scenario,
    heard: dict[str, list[dict[str, Any]]],
    similarity: Similarity | None = None,
) -> Outcome:
    """Memory's decision on one scenario from the recognised words (pure)."""
    memory = [
        Chunk(i + 1, 1, NOW - timedelta(hours=sc.hours_ago + 0.1 * i), _shifted(heard[c], 20 * i))
        for i, c in enumerate(CALM[:4])
    ]
    earlier = Chunk(9, 1, NOW - timedelta(hours=sc.hours_ago), _shifted(heard[sc.earlier], 100))
    memory.append(earlier)
    clipped = right = False
    for cue in find_cues(heard[sc.now]):
        passage = None
        if cue.kind == CALLBACK:
            passage = best_passage(cue.topic, memory, weak=cue.weak, similarity=similarity)
        elif cue.kind == OUTCOME:
            found = find_prediction(cue, memory)
            passage = found[0] if found else None
        if passage is not None:
            clipped = True
            right = right or passage.start >= 100
    return Outcome(
        sc.name, sc.positive, clipped, right, _text(heard[sc.earlier]), _text(heard[sc.now])
    )


def _shifted(words: list[dict[str, Any]], shift: float) -> list[dict[str, Any]]:
    return [{**w, "start": w["start"] + shift, "end": w["end"] + shift} for w in words]


def _text(words: list[dict[str, Any]]) -> str:
    return " ".join(str(w["text"]) for w in words)


def score(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Callback recall (positives clipped with the right earlier range) and precision."""
    pos = [o for o in outcomes if o.positive]
    tp = sum(1 for o in pos if o.clipped and o.right)
    made = sum(1 for o in outcomes if o.clipped)
    return {
        "scenarios": len(pos),
        "look_alikes": len(outcomes) - len(pos),
        "recall": round(tp / len(pos), 3) if pos else None,
        "precision": round(tp / made, 3) if made else None,
        "missed": [o.name for o in pos if not (o.clipped and o.right)],
        "false_clips": [o.name for o in outcomes if o.clipped and not (o.positive and o.right)],
    }


def evaluate_memory(
    settings: Settings, similarity: Similarity | None = None
) -> tuple[list[Outcome], dict[str, Any]]:
    """Speak, recognise and decide every scenario: the outcomes (with ``similarity`` when
    given) and the score by words alone and, with ``similarity``, with embeddings too (on the
    same recognised words, so the two are comparable)."""
    lines = [*CALM[:4], *(x for sc in SCENARIOS for x in (sc.earlier, sc.now))]
    heard = recognise_lines(lines, settings)
    words_only = [decide(sc, heard) for sc in SCENARIOS]
    summary = {"words_only": score(words_only)}
    if similarity is None:
        return words_only, summary
    embedded = [decide(sc, heard, similarity) for sc in SCENARIOS]
    summary["with_embeddings"] = score(embedded)
    return embedded, summary
