"""Pages that turn stored stream times into work stay bounded, whatever a row claims.

Rows are written directly, as a server before the protocol bounded times could have stored
them (``start`` = 1e300, Infinity): the archive page used to loop once per 10 minutes of
claimed time (10 GB in two minutes), and the duration filter raised ``OverflowError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from clippy.db.models import Segment
from tests.dashboard.conftest import Browserish, add_stream


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _segment(stream_id: int, seq: int, start: float) -> Segment:
    return Segment(
        stream_id=stream_id,
        seq=seq,
        start_time=start,
        duration=10.0,
        mime="video/webm",
        size=1,
        sha256="0" * 64,
        storage_key=f"streams/{stream_id}/segments/{seq:08d}.webm",
        status="done",
        # JSON has no Infinity (PostgreSQL refuses it): such a row has no features.
        features={"start": start, "step": 1.0, "loudness": [-30.0] * 10}
        if math.isfinite(start)
        else None,
    )


def test_huge_and_infinite_stream_times_cost_bounded_memory(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("a@example.test")
    with b.session_factory() as s:
        huge = add_stream(s, b.user_id, "Huge", received_until=1e300 + 10.0)
        s.add_all([_segment(huge.id, 0, 0.0), _segment(huge.id, 1, 1e300)])
        endless = add_stream(s, b.user_id, "Endless", received_until=float("inf"))
        s.add_all([_segment(endless.id, 0, 0.0), _segment(endless.id, 1, float("inf"))])
        epoch = add_stream(s, b.user_id, "Epoch ms", received_until=1.7e12)
        s.add(_segment(epoch.id, 0, 1.7e12))
        s.commit()
        ids = [huge.id, endless.id, epoch.id]
    before = _rss_bytes()
    pages = ["/app", "/app/streams", "/app/analytics"]
    pages += [f"/app/streams/{i}{q}" for i in ids for q in ("", "?at=1e300", "?at=nan", "?at=inf")]
    for page in pages:
        r = b.get(page)
        assert r.status_code == 200, (page, r.status_code, r.text[-500:])
    grown = _rss_bytes() - before
    assert grown < 100 * 1024 * 1024, f"RSS grew {grown / 1048576:.0f} MB"
