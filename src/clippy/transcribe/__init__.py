"""Speech recognition engines behind one ``Transcriber`` interface, and the stored transcript
(per-segment text with word times, full-text search).
"""

from clippy.transcribe.base import (
    SAMPLE_RATE,
    BatchTranscriber,
    NoTranscriber,
    Transcriber,
    TranscriberError,
    TranscriptChunk,
    Word,
)
from clippy.transcribe.factory import check_transcriber, language_support, make_transcriber
from clippy.transcribe.languages import (
    AUTO,
    LANGUAGES,
    LanguageSupport,
    UnsupportedLanguage,
    detected_language,
    effective_language,
    language_name,
    normalise,
    stored_language,
    with_heard,
    with_language,
)
from clippy.transcribe.rolling import (
    Heard,
    drop_cut_edge,
    join_lead_in,
    merge_overlap,
    quiet_point,
    tail_text,
    transcribe_span,
)
from clippy.transcribe.search import query_terms
from clippy.transcribe.search import search as search_transcripts
from clippy.transcribe.store import (
    lines_between,
    list_transcript,
    replace_segment_transcript,
    spoken_text,
    words_between,
)
from clippy.transcribe.vad import speech_fraction
from clippy.transcribe.whisper_engine import download_model

__all__ = [
    "AUTO",
    "LANGUAGES",
    "SAMPLE_RATE",
    "BatchTranscriber",
    "Heard",
    "LanguageSupport",
    "NoTranscriber",
    "Transcriber",
    "TranscriberError",
    "TranscriptChunk",
    "UnsupportedLanguage",
    "Word",
    "check_transcriber",
    "detected_language",
    "download_model",
    "drop_cut_edge",
    "effective_language",
    "join_lead_in",
    "language_name",
    "language_support",
    "lines_between",
    "list_transcript",
    "make_transcriber",
    "merge_overlap",
    "normalise",
    "query_terms",
    "quiet_point",
    "replace_segment_transcript",
    "search_transcripts",
    "speech_fraction",
    "spoken_text",
    "stored_language",
    "tail_text",
    "transcribe_span",
    "with_heard",
    "with_language",
    "words_between",
]
