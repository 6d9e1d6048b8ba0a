"""Periodic work in the embedded backend: a step run every ``interval`` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

__all__ = ["run_periodic"]

log = logging.getLogger(__name__)


async def run_periodic(
    name: str, step: Callable[[], object], interval_seconds: float, stop: asyncio.Event
) -> None:
    """Run ``step`` on a thread now and every ``interval_seconds`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(step)
        except Exception:  # keep going on the next tick whatever went wrong now
            log.exception("%s failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
