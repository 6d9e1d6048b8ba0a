"""Clips made on request (archive range, trim, API): cut off the event loop, then announced."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from clippy.clips import announce_clip, make_clip
from clippy.db import Clip
from clippy.runtime import Runtime

__all__ = ["make_clip_live"]


async def make_clip_live(
    ctx: Runtime,
    stream_id: int,
    ranges: Sequence[tuple[float, float]],
    *,
    title: str,
    reason: str = "",
    source: str = "manual",
    earlier: Sequence[tuple[int, float, float]] = (),
) -> Clip:
    """Cut and render a clip in a worker thread, then push ``clip_created`` to the live feeds
    of the owner and their teammates (and so to webhooks).

    ``make_clip``'s errors (``InvalidRange``, ``ClipQuotaExceeded``, ``ClipSourceMissing``)
    reach the caller, which answers them in its own way (page or API status).
    """
    clip = await asyncio.to_thread(
        make_clip,
        ctx.session_factory,
        ctx.store,
        stream_id,
        ranges,
        title=title,
        reason=reason,
        source=source,
        earlier=earlier,
    )
    await asyncio.to_thread(announce_clip, ctx.hub, ctx.session_factory, clip, ctx.links)
    return clip
