"""Numbers a new user reads: unlimited plans, live minutes, views and export downloads."""

from __future__ import annotations

import re
from collections.abc import Callable

from clippy.accounts.teams import add_member, create_team
from clippy.accounts.usage import add_recording_seconds, utc_day
from clippy.accounts.users import set_plan
from clippy.db.models import ClipStats, ExportJob, User
from tests.dashboard.conftest import Browserish, add_clip, add_stream


def _plan(b: Browserish, plan: str) -> None:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, plan)
        s.commit()


def _usage_panel(html: str) -> str:
    return html.split('id="usage"', 1)[1].split("</section>", 1)[0]


def test_unlimited_reads_unlimited_and_draws_no_bar(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("biz@example.com")
    _plan(b, "business")
    panel = _usage_panel(b.get("/app").text)
    assert panel.count("unlimited") == 2
    assert "meter-bar" not in panel
    # Pro: hours are limited (a bar), clips are not (no bar).
    _plan(b, "pro")
    panel = _usage_panel(b.get("/app").text)
    assert panel.count("meter-bar") == 1 and panel.count("unlimited") == 1
    billing = b.get("/app/billing").text
    assert billing.count("meter-bar") == 1


def test_home_usage_counts_a_live_stream_as_it_records(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("live@example.com")
    home = b.get("/app").text
    # The panel refreshes itself, so a stream recording now shows up without a reload.
    assert 'hx-get="/app/partials/usage"' in _usage_panel(home)
    assert "0 min" in b.get("/app/partials/usage").text
    with b.session_factory() as s:
        add_stream(s, b.user_id, status="live")
        # What ingest adds for every stored segment of the live stream.
        add_recording_seconds(s, b.user_id, utc_day(), 240.0)
        s.commit()
    assert "4 min" in b.get("/app/partials/usage").text


def test_views_are_other_peoples_visits(signed_up: Callable[[str], Browserish]) -> None:
    owner = signed_up("owner@example.com")
    mate = signed_up("mate@example.com")
    _plan(owner, "business")
    with owner.session_factory() as s:
        boss = s.get(User, owner.user_id)
        member = s.get(User, mate.user_id)
        assert boss is not None and member is not None
        add_member(s, create_team(s, boss, "Crew"), member)
        clip = add_clip(s, add_stream(s, owner.user_id), 0, 10)
        s.commit()
        clip_id = clip.id
    for _ in range(3):
        assert owner.get(f"/app/clips/{clip_id}").status_code == 200
    assert mate.get(f"/app/clips/{clip_id}").status_code == 200
    with owner.session_factory() as s:
        stats = s.get(ClipStats, clip_id)
        assert stats is not None and stats.views == 1
    assert re.search(r'data-stat="views">1<', owner.get("/app/analytics").text)


def test_downloading_an_export_counts_as_a_download(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("dl@example.com")
    ctx = b.client.app.state.ctx  # type: ignore[attr-defined]
    with b.session_factory() as s:
        clip = add_clip(s, add_stream(s, b.user_id), 0, 10)
        ctx.store.put_bytes("exports/t/1.mp4", b"\x00" * 2048, content_type="video/mp4")
        job = ExportJob(
            user_id=b.user_id,
            clip_id=clip.id,
            preset="tiktok",
            status="done",
            result_key="exports/t/1.mp4",
            result={"srt": "exports/t/1.mp4"},
        )
        s.add(job)
        s.commit()
        job_id, clip_id = job.id, clip.id
    main = ctx.links.export(job_id, "main")
    srt = ctx.links.export(job_id, "srt")
    assert b.client.get(main).status_code == 200
    # A player's later range requests and the subtitle sidecar are not more downloads.
    assert b.client.get(main, headers={"Range": "bytes=1024-"}).status_code == 206
    assert b.client.get(srt).status_code == 200
    with b.session_factory() as s:
        stats = s.get(ClipStats, clip_id)
        assert stats is not None and stats.downloads == 1
    assert re.search(r'data-stat="downloads">1<', b.get("/app/analytics").text)
