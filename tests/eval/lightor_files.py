"""Tiny hand-made Lightor-layout splits for the scorer's tests."""

from __future__ import annotations

from pathlib import Path


def write_video(
    root: Path,
    key: str,
    *,
    labels: list[str],
    chat: list[tuple[float, str, str]],
    game: str = "Dota2",
    split: str = "test",
    start_ms: int = 720000,
) -> None:
    """One video: ``labels`` rows ('window start end' as MMM-SS) and chat ``(seconds, user,
    text)`` written as Lightor's VOD-offset milliseconds after ``start_ms``."""
    d = root / "dataset" / game / split
    (d / "chat").mkdir(parents=True, exist_ok=True)
    (d / "labels").mkdir(parents=True, exist_ok=True)
    (d / "labels" / f"{key}.csv").write_text("\n".join(labels) + "\n")
    rows = [
        f"{i}\t{key}\t{user}\t{text}\t0\t{start_ms + int(t * 1000)}"
        for i, (t, user, text) in enumerate(chat)
    ]
    (d / "chat" / f"{key} {start_ms}.csv").write_text("\n".join(rows) + "\n")
