"""A teammate removed from the team loses the exports they made of the team's clips: the
export disappears from their list and API, and download links handed out before the
removal stop working, including for an export that finished after it."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.teams import add_member, create_team, remove_member
from clippy.accounts.users import set_plan
from clippy.db.models import ExportJob, Team, User
from clippy.web.links import media_links
from tests.export.conftest import seed_clip, wait_export
from tests.export.test_exports_api import sqlite_client  # noqa: F401  (fixture)
from tests.fixtures.app import auth, register_user
from tests.fixtures.server import TEST_SECRET as SECRET


def _factory(client: TestClient) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = client.app.state.ctx.session_factory  # type: ignore[attr-defined]
    return factory


def test_removed_teammate_loses_their_exports_of_team_clips(
    sqlite_client: TestClient,  # noqa: F811
    pattern_clip: Path,
) -> None:
    client = sqlite_client
    owner = register_user(client, "owner@example.test")
    mate = register_user(client, "mate@example.test")
    clip_id = seed_clip(client, "owner@example.test", pattern_clip, plan="business")
    own_clip = seed_clip(client, "mate@example.test", pattern_clip, title="mine")
    with _factory(client)() as s:
        boss = s.query(User).filter_by(email="owner@example.test").one()
        set_plan(s, boss, "business")
        team = create_team(s, boss, "Crew")
        add_member(s, team, s.query(User).filter_by(email="mate@example.test").one())
        s.commit()
    done = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(mate), json={"preset": "x"}
    ).json()
    job = wait_export(client, mate, done["id"], ("done", "failed"))
    assert job["status"] == "done", job["error"]
    assert client.get(job["download_url"]).status_code == 200
    mine = client.post(
        f"/api/v1/clips/{own_clip}/exports", headers=auth(mate), json={"preset": "x"}
    ).json()
    mine = wait_export(client, mate, mine["id"], ("done", "failed"))
    # A second export still queued at removal time finishes afterwards.
    later = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(mate), json={"preset": "shorts"}
    ).json()

    with _factory(client)() as s:
        team_row = s.query(Team).filter_by(name="Crew").one()
        mate_id = s.query(User).filter_by(email="mate@example.test").one().id
        remove_member(s, team_row, mate_id)
        s.commit()

    assert client.get(job["download_url"]).status_code == 404
    for path in (f"/api/v1/exports/{job['id']}", f"/api/v1/exports/{job['id']}/download"):
        assert client.get(path, headers=auth(mate)).status_code == 404, path
    listed = [j["id"] for j in client.get("/api/v1/exports", headers=auth(mate)).json()]
    assert listed == [mine["id"]]  # their export of their own clip stays theirs
    assert client.get(mine["download_url"]).status_code == 200
    # The export queued before the removal finishes after it; the link it comes with (as a
    # webhook would carry it) does not work, and the owner never saw it.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with _factory(client)() as s:
            row = s.get(ExportJob, later["id"])
            assert row is not None
            if row.status in ("done", "failed"):
                break
        time.sleep(0.2)
    assert row.status == "done", row.error
    link = media_links(SECRET).export(later["id"], "main", 3600)
    assert client.get(link).status_code == 404
    assert client.get(f"/api/v1/exports/{later['id']}", headers=auth(owner)).status_code == 404
