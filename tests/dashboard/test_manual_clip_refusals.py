"""A refused manual clip leaves nothing: no clip row (no ghost ``pending`` clip) and no count
toward the day's quota, whether refused for unprocessed segments (409) or for a range too
short to hold a frame (422); real clips still count."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from clippy.accounts.usage import usage_for, utc_day
from clippy.db.models import Clip, Segment
from clippy.media.cut import SourcePart
from tests.dashboard.conftest import PASSWORD, Browserish
from tests.dashboard.test_archive import _recorded_stream
from tests.fixtures.app import auth


def _state(b: Browserish) -> tuple[int, int]:
    with b.session_factory() as s:
        clips = s.scalar(select(func.count()).select_from(Clip)) or 0
        return clips, usage_for(s, b.user_id, utc_day()).clips


def _token(b: Browserish) -> dict[str, str]:
    r = b.client.post("/api/v1/auth/login", json={"email": b.email, "password": PASSWORD})
    return auth(r.json()["access_token"])


def test_refused_manual_clips_leave_no_ghost_and_no_count(
    signed_up: Callable[[str], Browserish], mezzanine_parts: list[SourcePart]
) -> None:
    b = signed_up("ghosts@example.com")  # free plan: 3 clips a day
    sid = _recorded_stream(b, mezzanine_parts)
    with b.session_factory() as s:
        seg = s.scalars(select(Segment).where(Segment.stream_id == sid, Segment.seq == 2)).one()
        seg.status = "processing"
        busy = (seg.start_time + 1.0, seg.start_time + 5.0)
        s.commit()
    headers = _token(b)
    api: TestClient = b.client
    url = f"/api/v1/streams/{sid}/clips"
    for _ in range(4):  # more than the day's quota: none of them may use it
        r = api.post(url, headers=headers, json={"ranges": [{"start": busy[0], "end": busy[1]}]})
        assert r.status_code == 409 and "not processed" in r.json()["detail"]
    r = api.post(url, headers=headers, json={"ranges": [{"start": 4.0, "end": 4.01}]})
    assert r.status_code == 422 and "shorter than" in r.json()["detail"]
    assert _state(b) == (0, 0)
    # The quota is intact: three real clips are made and counted, the fourth is refused.
    for n in range(3):
        r = api.post(url, headers=headers, json={"ranges": [{"start": n, "end": n + 2.0}]})
        assert r.status_code == 201, r.text
    assert _state(b) == (3, 3)
    r = api.post(url, headers=headers, json={"ranges": [{"start": 4.0, "end": 6.0}]})
    assert r.status_code == 429
    assert _state(b) == (3, 3)
