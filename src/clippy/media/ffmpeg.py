"""Running ffmpeg/ffprobe: argument lists only, errors carrying ffmpeg's own explanation.

Every command is built by ``ffmpeg_command``/``ffprobe_command``, which refuse an input
(``-i``) not opened through ``media.source`` (forced demuxer, whitelisted protocols): a
call site cannot let ffmpeg guess a format.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from clippy.errors import MediaError

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"


class FFmpegError(MediaError, RuntimeError):
    """ffmpeg or ffprobe failed; the message holds the tail of its stderr."""


def check_inputs(args: Sequence[str]) -> None:
    """Raise ``ValueError`` unless every ``-i`` input in ``args`` carries a protocol whitelist
    among its own options (what ``MediaSource.input_args`` writes)."""
    since_input: list[str] = []
    for arg in args:
        if arg == "-i" and "-protocol_whitelist" not in since_input:
            raise ValueError("an ffmpeg input must be opened through clippy.media.source")
        since_input = [] if arg == "-i" else [*since_input, arg]


def ffmpeg_command(args: Sequence[str]) -> list[str]:
    """The quiet ffmpeg command (errors only, no stdin, overwrite outputs) running ``args``."""
    check_inputs(args)
    return [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y", *args]


def ffprobe_command(args: Sequence[str]) -> list[str]:
    """The ffprobe command running ``args`` (whose input comes from ``media.source``)."""
    check_inputs(args)
    if "-i" not in args:
        raise ValueError("ffprobe needs its input as '-i' from clippy.media.source")
    return [FFPROBE, "-hide_banner", *args]


def run_command(cmd: Sequence[str], *, timeout: float = 600.0) -> tuple[int, bytes, bytes]:
    """Run a built command; (exit status, stdout, stderr). ``FFmpegError`` if it cannot run."""
    try:
        proc = subprocess.run(list(cmd), capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise FFmpegError(f"{cmd[0]} is not installed (install Debian's ffmpeg package)") from None
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"{cmd[0]} took longer than {timeout:.0f} s") from None
    return proc.returncode, proc.stdout, proc.stderr


def run(args: Sequence[str], *, timeout: float = 600.0, what: str = "ffmpeg") -> str:
    """Run a built command (argument list, never a shell string); returns stderr text."""
    try:
        rc, _, err_bytes = run_command(args, timeout=timeout)
    except FFmpegError as exc:
        raise FFmpegError(f"{what}: {exc}") from None
    err = err_bytes.decode(errors="replace")
    if rc != 0:
        tail = " | ".join(line for line in err.strip().splitlines()[-3:])
        raise FFmpegError(f"{what} failed (exit {rc}): {tail}")
    return err


def ffmpeg(args: Sequence[str], *, timeout: float = 600.0, what: str = "ffmpeg") -> str:
    """Run ffmpeg quietly (errors only, no stdin, overwrite outputs) with ``args``."""
    return run(ffmpeg_command(args), timeout=timeout, what=what)
