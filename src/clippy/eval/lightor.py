"""Lightor-layout highlight sets: ``<root>/dataset/<Game>/<split>/{chat,labels}``.

Chat files are ``chat/<key> <start_ms>.csv`` (tab-separated: id, video, user, message, -,
timestamp_ms); label files are ``labels/<key>.csv`` (space-separated ``window hl_start hl_end``
as ``MMM-SS`` from video start). Seconds from video start are
``int(timestamp_ms / 1000 - int(start_ms / 1000))`` for every game: LoL (and crowd-recorded
Dota 2) files hold epoch milliseconds with the video's epoch in the file name, Dota 2 VOD files
hold VOD offsets with the clip's offset in the file name; the same rule serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from clippy.detect import ChatLine
from clippy.errors import InvalidInput
from clippy.pipeline import LIGHTOR_NAME, ChatFileError, read_lightor_tsv

GAMES = ("Dota2", "LOL")
SPLITS = ("train", "test")
_TIME = re.compile(r"^(\d+)-(\d{1,2})$")


class DatasetError(InvalidInput):
    """A dataset directory that is missing or not laid out (or written) as Lightor's."""


@dataclass(frozen=True)
class Highlight:
    """A labelled highlight ``[start, end]`` in seconds from video start."""

    start: float
    end: float


@dataclass(frozen=True)
class LabelledVideo:
    """One video of a split: its chat (sorted by time) and its labelled highlights."""

    key: str
    chat: list[ChatLine]
    highlights: list[Highlight]

    @property
    def duration(self) -> float:
        """Seconds covered: up to the last chat line or the last highlight's end."""
        last_chat = self.chat[-1].time if self.chat else 0.0
        last_label = max((h.end for h in self.highlights), default=0.0)
        return max(last_chat, last_label) + 1.0


def split_dir(root: Path, game: str, split: str) -> Path:
    """``root/dataset/<game>/<split>`` (``root`` may also be the ``dataset`` folder itself)."""
    base = root / "dataset" if (root / "dataset").is_dir() else root
    return base / game / split


def load_split(root: Path, game: str, split: str) -> list[LabelledVideo]:
    """Every video of ``game``/``split`` under ``root``, sorted by key.

    Raises ``DatasetError`` naming the path and the problem when the directory is missing,
    holds no videos, a chat file has no label file, or a row cannot be read.
    """
    d = split_dir(root, game, split)
    chat_dir, label_dir = d / "chat", d / "labels"
    for needed in (chat_dir, label_dir):
        if not needed.is_dir():
            raise DatasetError(
                f"{needed} is not a directory: expected DIR/dataset/<Game>/<split>/chat and "
                f".../labels (Lightor layout; game one of {', '.join(GAMES)})"
            )
    videos = []
    for path in sorted(chat_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue  # .DS_Store, .ipynb_checkpoints: what a Mac or Jupyter leaves behind
        m = LIGHTOR_NAME.match(path.name)
        if m is None:
            raise DatasetError(f"{path}: a chat file must be named '<key> <start_ms>.csv'")
        labels = label_dir / f"{m['key']}.csv"
        if not labels.is_file():
            raise DatasetError(f"{path}: no label file {labels}")
        try:
            chat = read_lightor_tsv(path, int(m["start"]))
        except ChatFileError as exc:
            raise DatasetError(str(exc)) from None
        videos.append(LabelledVideo(m["key"], chat, read_labels(labels)))
    if not videos:
        raise DatasetError(f"{chat_dir} holds no chat files")
    return videos


def read_labels(path: Path) -> list[Highlight]:
    """The highlights of one label file; rows with an empty interval are skipped."""
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise DatasetError(f"{path}:{n}: expected 'window hl_start hl_end', got {raw!r}")
        start, end = parse_mmss(parts[1], path, n), parse_mmss(parts[2], path, n)
        if end > 0 and end >= start:
            out.append(Highlight(start, end))
    return out


def parse_mmss(text: str, path: Path | str = "", line: int = 0) -> float:
    """``'054-23'`` → 3263.0 seconds."""
    m = _TIME.match(text)
    if m is None:
        raise DatasetError(f"{path}:{line}: time {text!r} is not MMM-SS")
    return float(int(m[1]) * 60 + int(m[2]))
