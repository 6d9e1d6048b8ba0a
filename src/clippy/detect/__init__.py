"""Highlight detection: pure functions from signals (audio features, words, chat) to clips.

Per segment the pipeline stores ``segment_features``; per detection window it builds
``WindowSignals``, scores them with ``score_timeline`` and asks ``plan_clips`` what to cut.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.detect.audience import CHAT_HISTORY_SECONDS
from clippy.detect.chat import ChatBurst, ChatLine, chat_bursts, chat_multiplier, chat_velocity
from clippy.detect.chat_features import FEATURES
from clippy.detect.chat_features import chat_features as chat_feature_matrix
from clippy.detect.clip_length import (
    LABELS,
    InvalidClipLength,
    effective_length,
    length_range,
    stored_length,
    with_length,
)
from clippy.detect.judge import LlmJudge, apply_verdict, candidate_for, judge_configured, make_judge
from clippy.detect.phrases import BUILTIN_PHRASES, PhraseHit, find_phrases, phrase_list
from clippy.detect.plan import ClipPlan, PlanConfig, moment_start, plan_clips
from clippy.detect.preferences import (
    MAX_COMMAND_CHARS,
    MAX_PHRASE_CHARS,
    MAX_PHRASE_WORDS,
    MAX_PHRASES,
    MAX_PROMPT_CHARS,
    DetectionPrefs,
    InvalidPreferences,
    effective_prefs,
    parse_key_phrases,
    plan_allows,
    stored_prefs,
    validate,
    with_prefs,
)
from clippy.detect.ranker import BASE_FEATURE, ChatRanker
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
from clippy.detect.words import PAUSE_SECONDS, Sentence, Word, split_sentences

__all__ = [
    "BASE_FEATURE",
    "BUILTIN_PHRASES",
    "CHAT_HISTORY_SECONDS",
    "FEATURES",
    "LABELS",
    "MAX_COMMAND_CHARS",
    "MAX_PHRASES",
    "MAX_PHRASE_CHARS",
    "MAX_PHRASE_WORDS",
    "MAX_PROMPT_CHARS",
    "PAUSE_SECONDS",
    "ChatBurst",
    "ChatLine",
    "ChatRanker",
    "ClipPlan",
    "DetectionPrefs",
    "InvalidClipLength",
    "InvalidPreferences",
    "LlmJudge",
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
    "apply_verdict",
    "candidate_for",
    "chat_bursts",
    "chat_feature_matrix",
    "chat_multiplier",
    "chat_velocity",
    "effective_length",
    "effective_prefs",
    "energy_variance",
    "find_phrases",
    "judge_configured",
    "laughter_score",
    "length_range",
    "loudness_db",
    "make_judge",
    "moment_start",
    "parse_key_phrases",
    "phrase_list",
    "pitch_hz",
    "pitch_variance",
    "plan_allows",
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
    "stored_length",
    "stored_prefs",
    "validate",
    "with_length",
    "with_prefs",
]
