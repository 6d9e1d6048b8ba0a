"""Running ffmpeg/ffprobe: argument lists only, errors carrying ffmpeg's own explanation."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"


class FFmpegError(RuntimeError):
    """ffmpeg or ffprobe failed; the message holds the tail of its stderr."""


def run(args: Sequence[str], *, timeout: float = 600.0, what: str = "ffmpeg") -> str:
    """Run a command (argument list, never a shell string); returns stderr text."""
    try:
        proc = subprocess.run(list(args), capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise FFmpegError(f"{args[0]} is not installed (install Debian's ffmpeg package)") from None
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"{what} took longer than {timeout:.0f} s") from None
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        tail = " | ".join(line for line in err.strip().splitlines()[-3:])
        raise FFmpegError(f"{what} failed (exit {proc.returncode}): {tail}")
    return err


def ffmpeg_parallel(jobs: Sequence[Sequence[str]], *, what: str = "ffmpeg") -> None:
    """Run several independent ffmpeg jobs at once (each as ``ffmpeg(args)``)."""
    procs = [
        subprocess.Popen(
            [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for args in jobs
    ]
    failures = []
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            failures.append(err.decode(errors="replace").strip().splitlines()[-1:] or ["?"])
    if failures:
        raise FFmpegError(f"{what} failed: {failures[0][0]}")


def ffmpeg(args: Sequence[str], *, timeout: float = 600.0, what: str = "ffmpeg") -> str:
    """Run ffmpeg quietly (errors only, no stdin, overwrite outputs) with ``args``."""
    return run(
        [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y", *args], timeout=timeout, what=what
    )
