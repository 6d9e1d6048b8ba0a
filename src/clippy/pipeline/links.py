"""``clippy process LINK``: a platform page (or any page with a ``<video>``) resolved with
yt-dlp, then processed like a file, its chat replay included where the platform keeps one.

Links that name media directly (a playlist, an .mp4) still go straight to ffmpeg.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clippy.config import Settings
from clippy.record import LinkError, fetch_video, read_live_chat

__all__ = ["is_page_link", "process_link"]

# What ffmpeg reads itself: anything else that is http(s) is a page for yt-dlp.
_MEDIA_SUFFIXES = {
    *(".m3u8", ".mpd", ".mp4", ".m4v", ".m4a", ".mov", ".webm", ".mkv", ".ts", ".flv"),
    *(".mp3", ".wav", ".ogg", ".opus", ".aac"),
}


def is_page_link(source: str) -> bool:
    """Whether ``source`` is an http(s) link to a page rather than to a media file."""
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https"):
        return False
    return Path(parts.path).suffix.lower() not in _MEDIA_SUFFIXES


def process_link(url: str, out_dir: Path, settings: Settings, **kw: Any) -> int:
    """Download the video ``url`` names and process it (``process_file``'s keywords); exit 2
    with yt-dlp's reason in one line when the link cannot be resolved."""
    from clippy.pipeline.offline import process_file

    with tempfile.TemporaryDirectory(prefix="clippy-link-") as tmp:
        try:
            video = fetch_video(url, Path(tmp))
        except LinkError as exc:
            print(f"clippy: cannot import {url}: {exc}", file=sys.stderr)
            return 2
        if kw.get("chat_file") is None and video.chat is not None:
            lines = read_live_chat(video.chat.read_text(encoding="utf-8", errors="replace"))
            chat = Path(tmp) / "chat.json"
            chat.write_text(json.dumps(lines))
            kw["chat_file"] = chat
        return process_file(str(video.path), out_dir, settings, **kw)
