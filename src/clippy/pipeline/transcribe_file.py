"""``clippy transcribe``: the words of any file or URL ffmpeg reads, as JSON, SRT, VTT or text."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from clippy.config import Settings
from clippy.export import render_transcript
from clippy.media.probe import InvalidMedia
from clippy.pipeline.progress import progress_bar
from clippy.pipeline.recognise import load_recording, recognise_recording
from clippy.transcribe import TranscriberError, check_transcriber

log = logging.getLogger(__name__)


def transcribe_file(
    source: str, settings: Settings, *, fmt: str, out: Path | None, progress: bool = True
) -> int:
    """Write the transcript of ``source`` to ``out`` (stdout when None); returns an exit code:
    2 with one line on stderr for input or a model that cannot be used, 1 if it broke later."""
    err = sys.stderr
    try:
        check_transcriber(settings)
    except TranscriberError as exc:
        print(f"clippy: {exc}", file=err)
        return 2
    try:
        _, samples = load_recording(source)
    except InvalidMedia as exc:
        print(f"clippy: cannot transcribe {source}: {exc}", file=err)
        return 2
    try:
        with progress_bar(progress, "transcribing") as on_run:
            heard, _ = recognise_recording(samples, settings, on_run=on_run)
        text = render_transcript(heard.words, heard.language or settings.whisper_language, fmt)
        if out is None:
            sys.stdout.write(text)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(out.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
    except Exception as exc:  # a traceback helps no user: say what broke, log the rest
        log.debug("transcribing %s failed", source, exc_info=True)
        print(f"clippy: transcribing {source} failed: {exc.__class__.__name__}: {exc}", file=err)
        return 1
    return 0
