"""Per-segment stages (probe, mezzanine, audio features, transcript, detection, clip) as
plain, idempotent functions of ids; ``clippy.jobs`` decides where they run.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.pipeline.analysis import SAMPLE_RATE, Analysis
from clippy.pipeline.backlog import Backlog, backlogs
from clippy.pipeline.chat_files import LIGHTOR_NAME, ChatFileError, load_chat, read_lightor_tsv
from clippy.pipeline.detection import detect_and_clip
from clippy.pipeline.links import is_page_link, process_link
from clippy.pipeline.offline import SEGMENT_SECONDS, analyse_recording, detect_offline, process_file
from clippy.pipeline.stages import (
    init_worker,
    make_mezzanine,
    mark_attempt,
    process_segment,
    process_segments,
    record_failure,
    segment_run,
)
from clippy.pipeline.transcribe_file import transcribe_file as transcribe_source

__all__ = [
    "LIGHTOR_NAME",
    "SAMPLE_RATE",
    "SEGMENT_SECONDS",
    "Analysis",
    "Backlog",
    "ChatFileError",
    "analyse_recording",
    "backlogs",
    "detect_and_clip",
    "detect_offline",
    "init_worker",
    "is_page_link",
    "load_chat",
    "make_mezzanine",
    "mark_attempt",
    "process_file",
    "process_link",
    "process_segment",
    "process_segments",
    "read_lightor_tsv",
    "record_failure",
    "segment_run",
    "transcribe_source",
]
