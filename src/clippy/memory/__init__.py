"""Memory: what the streamer said and what happened over the plan's retention (48 h on Pro),
so a callback ("remember yesterday when I fell off the bridge?") or a prediction that came
true ("I told you!") becomes one clip of the earlier setup and the current payoff; a story
("let's try this jump" … "again" … "finally!") one clip of setup, attempts and payoff.

The face other folders use: ``LiveWindow`` + ``plan_memory_clips`` for live detection,
``MemoryPlan``/``Span`` for what to cut, ``shared_embedder`` for matching paraphrases when
``CLIPPY_MEMORY_EMBEDDINGS`` is on, and the pure ``find_cues`` for evaluation.
"""

from clippy.memory.cues import CALLBACK, OUTCOME, Cue, find_cues
from clippy.memory.embed import EmbeddingsMissing, load_embedder, shared_embedder
from clippy.memory.live import LiveWindow, plan_memory_clips
from clippy.memory.passages import Chunk, Similarity, best_passage
from clippy.memory.resolve import MemoryPlan, Span, find_prediction

__all__ = [
    "CALLBACK",
    "OUTCOME",
    "Chunk",
    "Cue",
    "EmbeddingsMissing",
    "LiveWindow",
    "MemoryPlan",
    "Similarity",
    "Span",
    "best_passage",
    "find_cues",
    "find_prediction",
    "load_embedder",
    "plan_memory_clips",
    "shared_embedder",
]
