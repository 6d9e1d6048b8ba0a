"""Resolve a video link (a platform page, a page with a ``<video>``) to a local file with yt-dlp,
with its chat replay where the platform has one (yt-dlp's ``live_chat`` subtitles).

yt-dlp's reason for a link it cannot resolve is kept, in one line, for the user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clippy.errors import InvalidInput

__all__ = ["FetchedVideo", "LinkError", "fetch_video", "read_live_chat"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class LinkError(InvalidInput):
    """yt-dlp could not resolve or download the link; the message is its reason."""


@dataclass(frozen=True)
class FetchedVideo:
    """A downloaded video: the file, its title, the site's name and the chat replay file."""

    path: Path
    title: str
    extractor: str
    chat: Path | None


class _Logger:
    """Keeps yt-dlp quiet; its last error line is the reason a user sees."""

    def __init__(self) -> None:
        self.last_error = ""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        self.last_error = msg


def _reason(text: str) -> str:
    line = _ANSI.sub("", text).strip().splitlines()[0] if text.strip() else "unknown error"
    return line.removeprefix("ERROR:").strip()[:500]


def fetch_video(
    url: str, dest: Path, on_progress: Callable[[float], None] | None = None
) -> FetchedVideo:
    """Download the video ``url`` names into ``dest`` (its chat replay too, when there is one).

    ``on_progress`` receives the downloaded fraction (0..1) when the size is known. Raises
    ``LinkError`` with yt-dlp's reason when the link cannot be resolved or downloaded."""
    import yt_dlp

    dest.mkdir(parents=True, exist_ok=True)
    logger = _Logger()

    def hook(d: dict[str, Any]) -> None:
        total = d.get("total_bytes") or d.get("total_bytes_estimate")
        if on_progress is not None and total and d.get("status") == "downloading":
            on_progress(min(1.0, float(d.get("downloaded_bytes") or 0) / float(total)))

    opts: dict[str, Any] = {
        "outtmpl": str(dest / "video.%(ext)s"),
        "paths": {"home": str(dest), "temp": str(dest)},
        "format": "bv*[height<=1080]+ba/b[height<=1080]/bv*+ba/b",
        "noplaylist": True,
        "playlist_items": "1",
        "writesubtitles": True,
        "subtitleslangs": ["live_chat"],
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": logger,
        "progress_hooks": [hook],
        "socket_timeout": 30,
        "retries": 5,
    }
    try:
        with yt_dlp.YoutubeDL(opts) as ydl:
            info = ydl.extract_info(url, download=True)
    except yt_dlp.utils.DownloadError as exc:
        raise LinkError(_reason(logger.last_error or str(exc))) from None
    if info is None:
        raise LinkError(_reason(logger.last_error or f"nothing to download at {url}"))
    if info.get("_type") == "playlist":
        entries = [e for e in info.get("entries") or [] if e]
        if not entries:
            raise LinkError(f"{url} lists no video")
        info = entries[0]
    downloads = info.get("requested_downloads") or []
    path = Path(downloads[0]["filepath"]) if downloads else None
    if path is None or not path.is_file():
        raise LinkError(f"yt-dlp resolved {url} but downloaded no file")
    chat = (info.get("requested_subtitles") or {}).get("live_chat") or {}
    chat_path = Path(chat["filepath"]) if chat.get("filepath") else None
    return FetchedVideo(
        path,
        str(info.get("title") or url)[:500],
        str(info.get("extractor_key") or info.get("extractor") or ""),
        chat_path if chat_path is not None and chat_path.is_file() else None,
    )


def read_live_chat(text: str) -> list[dict[str, Any]]:
    """Chat lines ``{time, author, text}`` of a yt-dlp ``live_chat.json`` (JSON lines of
    YouTube's ``replayChatItemAction``); lines that are not text messages are skipped."""
    out: list[dict[str, Any]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            replay = json.loads(raw).get("replayChatItemAction") or {}
            offset = float(replay.get("videoOffsetTimeMsec", "nan")) / 1000
        except (ValueError, AttributeError):
            continue
        for action in replay.get("actions") or []:
            item = (action.get("addChatItemAction") or {}).get("item") or {}
            msg = item.get("liveChatTextMessageRenderer")
            if not msg or not offset >= 0:
                continue
            words = "".join(
                r.get("text") or (r.get("emoji") or {}).get("shortcuts", [""])[0]
                for r in (msg.get("message") or {}).get("runs") or []
            ).strip()
            author = (msg.get("authorName") or {}).get("simpleText", "")
            if words:
                out.append({"time": round(offset, 3), "author": author[:200], "text": words[:500]})
    return out
