"""Progress bars for the command line: shown on a terminal only, never in pipes or logs."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any


def progress_iter(items: Iterator[Any], total: int, show: bool, label: str) -> Iterator[Any]:
    """``items`` unchanged, advancing a bar per item when ``show`` and stderr is a terminal."""
    with progress_bar(show, label) as tick:
        for k, item in enumerate(items, start=1):
            yield item
            tick(k, total)


@contextlib.contextmanager
def progress_bar(show: bool, label: str) -> Iterator[Callable[[int, int], None]]:
    """A ``tick(done, total)`` callback drawing a transient bar on a terminal (a no-op else)."""
    if not show or not sys.stderr.isatty():
        yield lambda _done, _total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
