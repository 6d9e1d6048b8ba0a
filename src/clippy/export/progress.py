"""Run ffmpeg with live progress (``-progress pipe:1``) and a cancel switch."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence

from clippy.errors import ClippyError
from clippy.media.ffmpeg import FFmpegError, ffmpeg_command

ProgressFn = Callable[[float], None]


class RenderCanceled(ClippyError, RuntimeError):
    """The render was canceled; ffmpeg was killed and its output must be discarded."""


def progress_seconds(block: dict[str, str]) -> float | None:
    """Output time reached, in seconds, from one ``-progress`` block (``None`` if unknown).

    ``out_time_us`` is the field to read: ``out_time_ms`` is also microseconds (an old
    misnomer ffmpeg keeps), and early blocks say ``N/A``.
    """
    for key in ("out_time_us", "out_time_ms"):
        value = block.get(key, "")
        if value.lstrip("-").isdigit():
            return max(0.0, int(value) / 1_000_000)
    return None


def run_with_progress(
    args: Sequence[str],
    duration: float,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    *,
    timeout: float = 3600.0,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> None:
    """Run ``ffmpeg args`` reporting progress in [0, 1]; ``cancel`` kills it at once
    (``RenderCanceled``), a failure raises ``FFmpegError`` with ffmpeg's last words."""
    cmd = ffmpeg_command(["-progress", "pipe:1", "-nostats", *args])
    # stderr to a file, not a pipe: a chatty ffmpeg could fill the pipe and stall while we
    # only read stdout.
    with tempfile.TemporaryFile() as errf:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf)
        except FileNotFoundError:
            raise FFmpegError("ffmpeg is not installed (install Debian's ffmpeg package)") from None
        if on_start is not None:
            on_start(proc)
        done = threading.Event()
        killed = {"why": ""}

        def watch() -> None:
            # stdout.readline blocks, so a second thread does the killing.
            waited = 0.0
            while not done.wait(0.1):
                waited += 0.1
                if cancel is not None and cancel.is_set():
                    killed["why"] = "cancel"
                elif waited > timeout:
                    killed["why"] = "timeout"
                else:
                    continue
                proc.kill()
                return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        block: dict[str, str] = {}
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                key, _, value = raw.decode(errors="replace").strip().partition("=")
                block[key] = value
                if key != "progress":
                    continue
                seconds = progress_seconds(block)
                if on_progress is not None and seconds is not None and duration > 0:
                    on_progress(min(1.0, seconds / duration))
                block = {}
            proc.wait()
        finally:
            done.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            watcher.join()
        if killed["why"] == "cancel":
            raise RenderCanceled("the export was canceled")
        if killed["why"] == "timeout":
            raise FFmpegError(f"rendering took longer than {timeout:.0f} s and was stopped")
        if proc.returncode != 0:
            errf.seek(0)
            lines = errf.read().decode(errors="replace").strip().splitlines()
            raise FFmpegError(
                f"ffmpeg failed (exit {proc.returncode}): {' | '.join(lines[-3:]) or 'no output'}"
            )
    if on_progress is not None:
        on_progress(1.0)
