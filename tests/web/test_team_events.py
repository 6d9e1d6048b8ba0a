"""A teammate's live feed (SSE, real server) gets the owner's new clips, and stops getting
them the moment the member is removed."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from clippy.accounts.teams import add_member, create_team, remove_member
from clippy.db.models import Team, User
from clippy.db.session import make_engine, make_session_factory
from clippy.ingest.client import IngestClient
from tests.fixtures.media import SegmentFile
from tests.web.test_clips_api import _wait_processed


@dataclass
class Feed:
    """A background reader of one user's ``/api/v1/events`` stream."""

    http: str
    token: str
    events: list[dict[str, Any]] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Feed:
        threading.Thread(target=self._read, daemon=True).start()
        assert self.connected.wait(30), "the SSE feed did not connect"
        return self

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        url = f"{self.http}/api/v1/events"
        try:
            with httpx.stream("GET", url, headers=headers, timeout=90) as r:
                for line in r.iter_lines():
                    if line.startswith(": connected"):
                        self.connected.set()
                    elif line.startswith("data: "):
                        self.events.append(json.loads(line[6:]))
        except httpx.HTTPError:
            return  # the server stopping at the end of the test ends the feed

    def wait_for(self, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.events) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.events) >= n, f"{len(self.events)} events, expected {n}"


def test_member_feed_gets_owner_clips_until_removed(
    server_factory: Any, db_url: str, webm_segments: list[SegmentFile]
) -> None:
    srv = server_factory()
    srv.start()
    owner_token = srv.register("owner@example.test")["access_token"]
    member_token = srv.register("member@example.test")["access_token"]
    srv.set_plan("owner@example.test", "business")
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        owner = s.scalar(select(User).where(User.email == "owner@example.test"))
        member = s.scalar(select(User).where(User.email == "member@example.test"))
        assert owner is not None and member is not None
        add_member(s, create_team(s, owner, "Crew"), member)
        s.commit()
        member_id = member.id
    headers = {"Authorization": f"Bearer {owner_token}"}

    async def record() -> int:
        client = IngestClient(srv.ws, owner_token, "team-stream")
        await client.connect()
        for seg in webm_segments[:3]:
            await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
        sid = client.server_stream_id
        assert sid is not None
        await asyncio.to_thread(_wait_processed, srv.http, headers, sid, 3)
        await client.close()
        return sid

    sid = asyncio.run(record())

    def make_clip(title: str) -> int:
        r = httpx.post(
            f"{srv.http}/api/v1/streams/{sid}/clips",
            headers=headers,
            json={"ranges": [{"start": 2.0, "end": 12.0}], "title": title},
            timeout=120,
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    owner_feed = Feed(srv.http, owner_token).start()
    member_feed = Feed(srv.http, member_token).start()
    first = make_clip("For the team")
    member_feed.wait_for(1)
    assert member_feed.events[0]["type"] == "clip_created"
    assert member_feed.events[0]["clip"]["id"] == first
    owner_feed.wait_for(1)

    with factory() as s:
        team = s.scalar(select(Team).where(Team.name == "Crew"))
        assert team is not None
        remove_member(s, team, member_id)
        s.commit()
    engine.dispose()
    second = make_clip("Owner only")
    owner_feed.wait_for(2)
    assert owner_feed.events[1]["clip"]["id"] == second
    time.sleep(1.0)  # delivery to every subscriber happens in the same loop turn
    assert [e["clip"]["id"] for e in member_feed.events] == [first]
