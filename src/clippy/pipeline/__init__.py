"""Per-segment stages (probe, mezzanine, audio features, transcript, detection, clip) and
the runners that execute them: in-process by default.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.pipeline.analysis import SAMPLE_RATE, Analysis
from clippy.pipeline.backlog import Backlog, backlogs
from clippy.pipeline.chat_files import LIGHTOR_NAME, ChatFileError, load_chat, read_lightor_tsv
from clippy.pipeline.links import is_page_link, process_link
from clippy.pipeline.offline import SEGMENT_SECONDS, analyse_recording, detect_offline, process_file
from clippy.pipeline.runner import PipelineRunner
from clippy.pipeline.transcribe_file import transcribe_file as transcribe_source

__all__ = [
    "LIGHTOR_NAME",
    "SAMPLE_RATE",
    "SEGMENT_SECONDS",
    "Analysis",
    "Backlog",
    "ChatFileError",
    "PipelineRunner",
    "analyse_recording",
    "backlogs",
    "detect_offline",
    "is_page_link",
    "load_chat",
    "process_file",
    "process_link",
    "read_lightor_tsv",
    "transcribe_source",
]
