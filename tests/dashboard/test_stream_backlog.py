"""The streams page shows how far the pipeline is behind each stream."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from clippy.db.models import Segment, Stream
from clippy.db.types import utcnow
from tests.dashboard.conftest import Browserish


def test_the_streams_page_shows_the_backlog(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("a@example.test")
    with b.session_factory() as s:
        stream = Stream(user_id=b.user_id, client_stream_id="late", title="Late", status="live")
        s.add(stream)
        s.flush()
        for seq, (status, ago) in enumerate([("done", 90), ("pending", 42), ("processing", 30)]):
            s.add(
                Segment(
                    stream_id=stream.id,
                    seq=seq,
                    start_time=seq * 10.0,
                    duration=10.0,
                    mime="video/webm",
                    size=1,
                    sha256="0" * 64,
                    storage_key=f"k{seq}",
                    status=status,
                    received_at=utcnow() - timedelta(seconds=ago),
                )
            )
        s.commit()
    page = b.get("/app/streams").text
    assert re.search(r"processing 2 segments behind \(0:4\d\)", page), page
