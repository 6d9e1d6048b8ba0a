"""Chat logs for ``clippy process --chat FILE``, in the formats people have them in.

- a JSON list of ``{"time": seconds, "user": name, "text": message}`` (``author`` is accepted
  for ``user``; ``badges``, a list such as ``["moderator"]``, is optional);
- a Twitch VOD chat replay as exported by TwitchDownloader (``TwitchDownloaderCLI chatdownload
  -o chat.json``): ``{"comments": [{"content_offset_seconds", "commenter": {"display_name"},
  "message": {"body", "user_badges": [{"_id"}]}}]}``; the older Twitch v5 API replay that
  ``tcd`` writes has the same fields;
- a chat-downloader JSON list (``chat_downloader URL -o chat.json``): ``{"time_in_seconds",
  "message", "author": {"name", "badges": [{"name"}]}}``;
- a Lightor TSV (``<key> <start_ms>.csv``: id, video, user, message, 0, timestamp_ms).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from pathlib import Path
from typing import Any

from clippy.detect import ChatLine
from clippy.errors import InvalidInput

log = logging.getLogger(__name__)

LIGHTOR_NAME = re.compile(r"^(?P<key>.+) (?P<start>\d+)\.csv$")


class ChatFileError(InvalidInput):
    """A chat file in none of the accepted formats, or with a broken row."""


def load_chat(path: Path | None) -> list[ChatLine]:
    """The chat lines of ``path`` (any accepted format), sorted by time; none for ``None``."""
    if path is None:
        return []
    raw = _read_text(path)
    if raw.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ChatFileError(f"{path}: not valid JSON ({exc})") from None
        lines = _from_json(data, path)
    else:
        lines = _from_lightor(path, raw)
    return sorted(lines, key=lambda c: c.time)


def _from_json(data: Any, path: Path) -> list[ChatLine]:
    if isinstance(data, dict) and isinstance(data.get("comments"), list):
        return [_twitch_comment(c, path, i) for i, c in enumerate(data["comments"])]
    if not isinstance(data, list):
        raise ChatFileError(
            f"{path}: expected a list of {{time, user, text}} objects or a Twitch chat replay "
            "with 'comments' (TwitchDownloader)"
        )
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise ChatFileError(f"{path}: item {i} is not an object")
        if "time_in_seconds" in item:
            author = item.get("author") or {}
            badges = [b.get("name", "") for b in author.get("badges") or [] if isinstance(b, dict)]
            out.append(
                _line(
                    item["time_in_seconds"],
                    author.get("name", ""),
                    item.get("message"),
                    badges,
                    path,
                    i,
                )
            )
        elif "time" in item:
            user = item.get("user", item.get("author", ""))
            out.append(_line(item["time"], user, item.get("text", ""), item.get("badges"), path, i))
        else:
            raise ChatFileError(f"{path}: item {i} has no 'time' (seconds from the start)")
    return out


def _twitch_comment(c: Any, path: Path, i: int) -> ChatLine:
    if not isinstance(c, dict) or "content_offset_seconds" not in c:
        raise ChatFileError(f"{path}: comment {i} has no 'content_offset_seconds'")
    commenter = c.get("commenter") or {}
    message = c.get("message") or {}
    badges = [b.get("_id", "") for b in message.get("user_badges") or [] if isinstance(b, dict)]
    user = commenter.get("display_name") or commenter.get("name") or ""
    return _line(c["content_offset_seconds"], user, message.get("body", ""), badges, path, i)


def _line(time: Any, user: Any, text: Any, badges: Any, path: Path, i: int) -> ChatLine:
    try:
        t = float(time)
    except (TypeError, ValueError):
        raise ChatFileError(f"{path}: item {i}: time {time!r} is not a number") from None
    roles = tuple(str(b).lower() for b in badges) if isinstance(badges, list) else ()
    return ChatLine(t, str(user or ""), str(text or ""), roles)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ChatFileError(f"cannot read chat file {path}: {exc.strerror}") from None


def _from_lightor(path: Path, text: str) -> list[ChatLine]:
    m = LIGHTOR_NAME.match(path.name)
    try:
        return _lightor_lines(text, path, int(m["start"]) if m else None)
    except ChatFileError as exc:
        raise ChatFileError(
            f"{exc} (a chat file is JSON: a list of {{time, user, text}}, a TwitchDownloader "
            "or chat-downloader replay; or a Lightor TSV)"
        ) from None


def read_lightor_tsv(path: Path, start_ms: int | None) -> list[ChatLine]:
    """The lines of a Lightor chat TSV in seconds from video start, sorted.

    Seconds are ``int(timestamp_ms / 1000 - int(start_ms / 1000))``, Lightor's own rule;
    without ``start_ms`` (a file not named ``<key> <start_ms>.csv``) the first line is 0 s.
    Lightor's files are written by a CSV writer (a message holding a quote, a tab or a line
    break is quoted, quotes doubled), so they are read as CSV, as Lightor reads them; a file
    that reads better without quoting (a stray quote in a hand-made file) is read that way.
    A few unreadable rows (at most 1 %) are skipped with a warning: one broken line must not
    cost a whole benchmark run; more than that is an error naming the first.
    """
    return _lightor_lines(_read_text(path), path, start_ms)


def _lightor_lines(text: str, path: Path, start_ms: int | None) -> list[ChatLine]:
    """``read_lightor_tsv`` of a file's ``text``, already read."""
    rows, problems = _lightor_rows(text, path, quoted=True)
    if problems:
        plain_rows, plain_problems = _lightor_rows(text, path, quoted=False)
        if len(plain_problems) < len(problems):
            rows, problems = plain_rows, plain_problems
    if problems and (not rows or len(problems) * 100 > len(rows) + len(problems)):
        raise ChatFileError(problems[0])
    if problems:
        log.warning("%s: %d unreadable rows skipped (%s)", path, len(problems), problems[0])
    if start_ms is None:
        start_ms = int(min((r[0] for r in rows), default=0))
    lines = [ChatLine(float(int(ts / 1000 - int(start_ms / 1000))), u, t) for ts, u, t in rows]
    return sorted((c for c in lines if c.time >= 0), key=lambda c: c.time)


def _lightor_rows(
    text: str, path: Path, *, quoted: bool
) -> tuple[list[tuple[float, str, str]], list[str]]:
    """``(timestamp_ms, user, message)`` of every readable row, and a line per unreadable one.

    The timestamp is the last column and the message everything between the user and the
    ``0`` column, so a tab inside an unquoted message does not shift the columns.
    """
    rows: list[tuple[float, str, str]] = []
    problems: list[str] = []
    source = io.StringIO(text, newline="")
    if quoted:
        reader = csv.reader(source, delimiter="\t", quoting=csv.QUOTE_MINIMAL)
    else:
        reader = csv.reader(source, delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        for row in reader:
            if not row:
                continue
            n = reader.line_num
            if len(row) < 6:
                problems.append(
                    f"{path}:{n}: expected 6 tab-separated columns "
                    f"(id, video, user, message, 0, timestamp_ms), found {len(row)}"
                )
                continue
            try:
                rows.append((float(row[-1]), row[2], "\t".join(row[3:-2])))
            except ValueError:
                problems.append(f"{path}:{n}: timestamp {row[-1]!r} is not a number")
    except csv.Error as exc:  # a quote that never closes swallows the rest of the file
        problems.append(f"{path}:{reader.line_num}: {exc}")
    return rows, problems
