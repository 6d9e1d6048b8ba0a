"""Speech recognition engines behind one ``Transcriber`` interface, and the stored transcript
(per-segment text with word times, full-text search).
"""

from clippy.transcribe.base import (
    SAMPLE_RATE,
    BatchTranscriber,
    Transcriber,
    TranscriberError,
    Word,
)
from clippy.transcribe.factory import check_transcriber, make_transcriber
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
    "SAMPLE_RATE",
    "BatchTranscriber",
    "Heard",
    "Transcriber",
    "TranscriberError",
    "Word",
    "check_transcriber",
    "download_model",
    "drop_cut_edge",
    "join_lead_in",
    "lines_between",
    "list_transcript",
    "make_transcriber",
    "merge_overlap",
    "query_terms",
    "quiet_point",
    "replace_segment_transcript",
    "search_transcripts",
    "speech_fraction",
    "spoken_text",
    "tail_text",
    "transcribe_span",
    "words_between",
]
