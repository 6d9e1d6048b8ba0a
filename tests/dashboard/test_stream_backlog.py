"""The streams page shows how far the pipeline is behind each stream."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from clippy.db.models import Stream
from clippy.db.types import utcnow
from tests.dashboard.conftest import Browserish
from tests.fixtures.rows import segment_row


def test_the_streams_page_shows_the_backlog(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("a@example.test")
    with b.session_factory() as s:
        stream = Stream(user_id=b.user_id, client_stream_id="late", title="Late", status="live")
        s.add(stream)
        s.flush()
        for seq, (status, ago) in enumerate([("done", 90), ("pending", 42), ("processing", 30)]):
            received = utcnow() - timedelta(seconds=ago)
            s.add(segment_row(stream.id, seq, status=status, received_at=received))
        s.commit()
    page = b.get("/app/streams").text
    assert re.search(r"processing 2 segments behind \(0:4\d\)", page), page
