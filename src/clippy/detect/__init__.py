"""Highlight detection: pure functions from signals (audio features, words, chat) to clips.

Per segment the pipeline stores ``segment_features``; per detection window it builds
``WindowSignals``, scores them with ``score_timeline`` and asks ``plan_clips`` what to cut.
"""

from clippy.detect.chat import ChatBurst, chat_bursts, chat_multiplier, chat_velocity
from clippy.detect.phrases import BUILTIN_PHRASES, PhraseHit, find_phrases, phrase_list
from clippy.detect.plan import ClipPlan, PlanConfig, plan_clips
from clippy.detect.score import ScoringConfig, Timeline, WindowSignals, score_timeline
from clippy.detect.sentiment import SentimentChunk, SwingHit, sentiment_series, sentiment_swings
from clippy.detect.signals import (
    SegmentFeatures,
    energy_variance,
    laughter_score,
    loudness_db,
    pitch_hz,
    pitch_variance,
    relative_loudness,
    rolling_baseline,
    segment_features,
    shout_score,
    speech_rate,
)
from clippy.detect.words import Sentence, Word, split_sentences

__all__ = [
    "BUILTIN_PHRASES",
    "ChatBurst",
    "ClipPlan",
    "PhraseHit",
    "PlanConfig",
    "ScoringConfig",
    "SegmentFeatures",
    "Sentence",
    "SentimentChunk",
    "SwingHit",
    "Timeline",
    "WindowSignals",
    "Word",
    "chat_bursts",
    "chat_multiplier",
    "chat_velocity",
    "energy_variance",
    "find_phrases",
    "laughter_score",
    "loudness_db",
    "phrase_list",
    "pitch_hz",
    "pitch_variance",
    "plan_clips",
    "relative_loudness",
    "rolling_baseline",
    "score_timeline",
    "segment_features",
    "sentiment_series",
    "sentiment_swings",
    "shout_score",
    "speech_rate",
    "split_sentences",
]
