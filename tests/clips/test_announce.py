"""Live ``clip_created`` events reach the owner and their teammates, read at publish time
(both databases, the real in-process hub)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.teams import add_member, create_team, remove_member
from clippy.accounts.users import register, set_plan
from clippy.clips.announce import announce_clip
from clippy.db.models import Clip, Team, User
from clippy.events import EventHub
from clippy.web.links import media_links
from tests.dashboard.conftest import PASSWORD, add_clip, add_stream

SECRET = "test-secret-0123456789abcdef0123456789abcdef"


def _users(s: Session, *emails: str) -> list[User]:
    users = [register(s, e, PASSWORD) for e in emails]
    s.commit()
    return users


def _received(
    hub: EventHub, factory: sessionmaker[Session], clip: Clip, user_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """Subscribe each user, announce ``clip``, and return what each subscription got."""

    async def scenario() -> dict[int, list[dict[str, Any]]]:
        hub.bind_loop(asyncio.get_running_loop())
        got: dict[int, list[dict[str, Any]]] = {}
        subs = [hub.subscribe(uid) for uid in user_ids]
        entered = [await cm.__aenter__() for cm in subs]
        try:
            # From a worker thread, as the pipeline's detection announces its clips.
            await asyncio.to_thread(announce_clip, hub, factory, clip, media_links(SECRET))
            await asyncio.sleep(0.05)  # the thread hands delivery to this loop
            for sub in entered:
                got[sub.user_id] = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
        finally:
            for cm in subs:
                await cm.__aexit__(None, None, None)
        return got

    return asyncio.run(scenario())


def test_teammates_get_the_clip_live_until_removed(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        owner, member, stranger = _users(
            s, "owner@example.com", "member@example.com", "stranger@example.com"
        )
        set_plan(s, owner, "business")
        team = create_team(s, owner, "Night crew")
        add_member(s, team, member)
        clip = add_clip(s, add_stream(s, owner.id), 10.0, 25.0, title="Clutch")
        s.commit()
        ids = [owner.id, member.id, stranger.id]
        team_id = team.id
        s.expunge(clip)

    hub = EventHub()
    got = _received(hub, session_factory, clip, ids)
    assert [e["clip"]["id"] for e in got[owner.id]] == [clip.id]
    assert [e["clip"]["id"] for e in got[member.id]] == [clip.id]
    assert got[member.id][0]["user_id"] == owner.id
    assert got[stranger.id] == []

    with session_factory() as s:
        team_row = s.get(Team, team_id)
        assert team_row is not None
        remove_member(s, team_row, member.id)
        s.commit()
    got = _received(hub, session_factory, clip, ids)
    assert len(got[owner.id]) == 1
    assert got[member.id] == [] and got[stranger.id] == []
