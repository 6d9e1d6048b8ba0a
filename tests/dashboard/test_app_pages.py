"""Home, gallery (search, filters, sort, pages, batch delete), clip page edits, settings and
analytics through the routes, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable

from clippy.db.models import ClipCaption, ClipStats
from tests.dashboard.conftest import Browserish, add_clip, add_stream, add_words, days_ago


def _card_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="clip-(\d+)"', html)]


def test_empty_states(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("empty@example.com")
    assert "Nothing is recording right now" in b.get("/app").text
    assert "No clips yet" in b.get("/app/clips").text
    assert "No clips match" in b.get("/app/clips?q=anything").text
    assert "Nothing to chart yet" in b.get("/app/analytics").text
    assert "No API keys yet" in b.get("/app/settings").text


def test_gallery_search_filters_sort_and_pages(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("gallery@example.com")
    other = signed_up("other@example.com")
    with b.session_factory() as s:
        main = add_stream(s, b.user_id, "Main stream")
        side = add_stream(s, b.user_id, "Side stream")
        add_words(s, main, 100.0, "we found the golden dragon egg at last")
        add_words(s, main, 500.0, "nothing special here just talking")
        dragon = add_clip(s, main, 95, 120, title="Boss fight", score=3.0, created_at=days_ago(3))
        quiet = add_clip(s, main, 490, 525, title="Quiet bit", score=0.5, created_at=days_ago(2))
        titled = add_clip(s, side, 0, 30, title="Dragon dance", score=1.5, created_at=days_ago(1))
        failed = add_clip(s, side, 40, 60, title="Broken", status="failed")
        # Another user's clip that would match every query must never show.
        theirs = add_stream(s, other.user_id, "Their stream")
        add_words(s, theirs, 10.0, "golden dragon everywhere")
        add_clip(s, theirs, 0, 30, title="Dragon too")
        s.commit()
        ids = {c.title: c.id for c in (dragon, quiet, titled, failed)}

    r = b.get("/app/clips")
    assert _card_ids(r.text) == [
        ids["Broken"],
        ids["Dragon dance"],
        ids["Quiet bit"],
        ids["Boss fight"],
    ]
    # Transcript words inside the clip's range find it; the title match finds the other.
    r = b.get("/app/clips?q=golden+dragon")
    assert _card_ids(r.text) == [ids["Boss fight"]]
    r = b.get("/app/clips?q=dragon")
    assert set(_card_ids(r.text)) == {ids["Boss fight"], ids["Dragon dance"]}
    assert "2 clips match" in r.text
    # Words outside every clip's range match nothing.
    assert _card_ids(b.get("/app/clips?q=egg+talking").text) == []
    # FTS syntax typed by a user is taken literally, not as an operator.
    assert b.get('/app/clips?q="dragon" OR NEAR(').status_code == 200

    assert _card_ids(b.get(f"/app/clips?stream={main.id}").text) == [
        ids["Quiet bit"],
        ids["Boss fight"],
    ]
    assert _card_ids(b.get("/app/clips?min_score=1.5&status=ready").text) == [
        ids["Dragon dance"],
        ids["Boss fight"],
    ]
    assert _card_ids(b.get("/app/clips?status=failed").text) == [ids["Broken"]]
    day = days_ago(2).date().isoformat()
    assert _card_ids(b.get(f"/app/clips?from={day}&to={day}").text) == [ids["Quiet bit"]]
    assert _card_ids(b.get("/app/clips?sort=score").text)[0] == ids["Boss fight"]
    assert _card_ids(b.get("/app/clips?sort=old").text)[0] == ids["Boss fight"]
    assert _card_ids(b.get("/app/clips?sort=long").text)[0] == ids["Quiet bit"]

    # HTMX requests for the results block get only the block.
    part = b.client.get(
        "/app/clips?q=dragon", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert part.text.lstrip().startswith('<section id="results"')


def test_gallery_pagination(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("pages@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        for i in range(30):
            add_clip(
                s, stream, i * 10, i * 10 + 5, title=f"Clip {i}", created_at=days_ago(1 - i / 100)
            )
        s.commit()
    first = b.get("/app/clips")
    second = b.get("/app/clips?page=2")
    assert len(_card_ids(first.text)) == 24 and len(_card_ids(second.text)) == 6
    assert not set(_card_ids(first.text)) & set(_card_ids(second.text))
    assert "Page 1 of 2" in first.text and "Page 2 of 2" in second.text
    assert b.get("/app/clips?page=abc").status_code == 200


def test_another_users_clip_is_404_everywhere(signed_up: Callable[[str], Browserish]) -> None:
    owner = signed_up("owner@example.com")
    intruder = signed_up("intruder@example.com")
    with owner.session_factory() as s:
        clip = add_clip(s, add_stream(s, owner.user_id), 0, 20, title="Private moment")
        s.commit()
        clip_id = clip.id
    intruder.get("/app")
    for path in (f"/app/clips/{clip_id}", f"/app/clips/{clip_id}/download"):
        r = intruder.client.get(path, follow_redirects=False)
        assert r.status_code == 404 and "Private moment" not in r.text
    assert intruder.client.get(f"/app/clips/{clip_id}/card").status_code == 404
    for path, data in (
        (f"/app/clips/{clip_id}/title", {"title": "mine now"}),
        (f"/app/clips/{clip_id}/delete", {}),
        (f"/app/clips/{clip_id}/trim", {"start": "0", "end": "5"}),
        (f"/app/clips/{clip_id}/captions", {"style": "clean"}),
    ):
        assert intruder.post(path, data).status_code == 404, path
    r = intruder.post("/app/clips/batch-delete", {"ids": [str(clip_id)]})
    assert r.headers["location"] == "/app/clips?deleted=0"
    page = owner.get(f"/app/clips/{clip_id}")
    assert page.status_code == 200 and "Private moment" in page.text


def test_clip_page_title_captions_delete_and_counters(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("editor@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        add_words(s, stream, 11.0, "hello there. this is a long sentence with many words in it")
        clip = add_clip(s, stream, 10, 20)
        s.commit()
        clip_id = clip.id
    page = b.get(f"/app/clips/{clip_id}")
    # Lines come from the transcript in clip time; "hello there." ends at sentence punctuation.
    texts = re.findall(r'name="text" value="([^"]*)"', page.text)
    assert texts == ["hello there.", "this is a long sentence with many", "words in it"]
    assert "from the transcript" in page.text

    starts = re.findall(r'name="start" value="([^"]*)"', page.text)
    ends = re.findall(r'name="end" value="([^"]*)"', page.text)
    assert float(starts[0]) == 1.0  # word at stream 11.0 s is 1.0 s into the clip
    body = {"start": starts, "end": ends, "text": ["Hello there!", texts[1], texts[2]]}
    merged = b.post(f"/app/clips/{clip_id}/captions", {**body, "op": "merge:1", "style": "bold"})
    assert merged.status_code == 200
    assert re.findall(r'name="text" value="([^"]*)"', merged.text) == [
        "Hello there!",
        "this is a long sentence with many words in it",
    ]
    saved = b.post(f"/app/clips/{clip_id}/captions", {**body, "op": "save", "style": "bold"})
    assert saved.status_code == 303
    with b.session_factory() as s:
        row = s.get(ClipCaption, clip_id)
        assert row is not None and row.style == "bold" and row.lines[0]["text"] == "Hello there!"
    again = b.get(f"/app/clips/{clip_id}")
    assert 'value="Hello there!"' in again.text and ">edited<" in again.text
    # Gallery search now finds the corrected words.
    fixed = dict(body, text=["Hello Kappachungus!", texts[1], texts[2]], op="save", style="bold")
    assert b.post(f"/app/clips/{clip_id}/captions", fixed).status_code == 303
    assert _card_ids(b.get("/app/clips?q=kappachungus").text) == [clip_id]
    bad_style = b.post(f"/app/clips/{clip_id}/captions", {**body, "style": "comic-sans"})
    assert bad_style.status_code == 400 and "unknown caption style" in bad_style.text

    assert b.post(f"/app/clips/{clip_id}/title", {"title": "  "}).status_code == 400
    assert b.post(f"/app/clips/{clip_id}/title", {"title": "New name"}).status_code == 303
    assert "New name" in b.get(f"/app/clips/{clip_id}").text
    bad_trim = b.post(f"/app/clips/{clip_id}/trim", {"start": "5", "end": "50"})
    assert bad_trim.status_code == 400 and "inside the clip" in bad_trim.text

    with b.session_factory() as s:
        # The owner opened the clip page three times above: their own visits are not views.
        stats = s.get(ClipStats, clip_id)
        assert stats is None or stats.views == 0
    analytics = b.get("/app/analytics")
    assert re.search(r'data-stat="views">0<', analytics.text)
    assert re.search(r'data-stat="clips">1<', analytics.text)
    assert "<svg" in analytics.text and "Loudness spike" in analytics.text

    assert b.post(f"/app/clips/{clip_id}/delete").headers["location"] == "/app/clips?deleted=1"
    assert b.client.get(f"/app/clips/{clip_id}").status_code == 404


def test_batch_delete_own_clips(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("batch@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        ids = [add_clip(s, stream, i * 10, i * 10 + 5).id for i in range(3)]
        s.commit()
    b.get("/app/clips")
    r = b.post("/app/clips/batch-delete", {"ids": [str(ids[0]), str(ids[2])]})
    assert r.headers["location"] == "/app/clips?deleted=2"
    assert _card_ids(b.get("/app/clips").text) == [ids[1]]


def test_api_keys_show_once_and_revoke(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("keys@example.com")
    b.get("/app/settings")
    created = b.post("/app/settings/keys", {"name": "Laptop"})
    assert created.status_code == 201 and "flash-error" not in created.text
    key = re.search(r"data-new-key>(clp_[^<]+)<", created.text)
    assert key is not None
    full = key.group(1)
    listing = b.get("/app/settings").text
    assert full not in listing and f"{full[:12]}_…" in listing and "Laptop" in listing
    # The key works against the API until it is revoked.
    auth = {"Authorization": f"Bearer {full}"}
    assert b.client.get("/api/v1/clips", headers=auth).status_code == 200
    key_id = re.search(r"/app/settings/keys/(\d+)/revoke", listing)
    assert key_id is not None
    assert b.post(f"/app/settings/keys/{key_id.group(1)}/revoke").status_code == 303
    assert b.client.get("/api/v1/clips", headers=auth).status_code == 401
    assert ">revoked<" in b.get("/app/settings").text


def test_home_shows_live_streams_recent_clips_and_usage(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("home@example.com")
    with b.session_factory() as s:
        from clippy.accounts.usage import add_clip as count_clip
        from clippy.accounts.usage import add_recording_seconds, utc_day

        stream = add_stream(s, b.user_id, "Speedrun night", received_until=1830.0)
        add_clip(s, stream, 0, 20, title="Fresh clip")
        add_recording_seconds(s, b.user_id, utc_day(), 1800.0)
        count_clip(s, b.user_id, utc_day())
        s.commit()
    home = b.get("/app").text
    assert "Speedrun night" in home and "30:30" in home
    assert "Fresh clip" in home
    assert "30 min" in home and "/ 1 h" in home  # free plan: 1 h a day
    assert "/ 3" in home  # free plan: 3 clips a day
    live = b.get("/app/partials/live").text
    assert live.startswith('<div id="live"') and "Speedrun night" in live


def test_export_buttons_follow_clip_state_and_platform_limits(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("export@example.com")
    intruder = signed_up("noexport@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        pending = add_clip(s, stream, 0, 20, status="pending")
        long = add_clip(s, stream, 100, 175)
        # A stored file is what makes a clip exportable; the key need not exist for the page.
        long.file_key = "clips/x.mp4"
        s.commit()
        pending_id, long_id = pending.id, long.id
    # No export block for a clip that is not cut yet, and a refusal that says why.
    page = b.get(f"/app/clips/{pending_id}")
    assert 'id="exports"' not in page.text
    refused = b.post(f"/app/clips/{pending_id}/export", {"preset": "shorts"})
    assert refused.status_code == 409 and "not ready" in refused.text
    # A 75 s clip: Shorts (60 s) is offered only after trimming, TikTok and X directly.
    page = b.get(f"/app/clips/{long_id}")
    assert 'data-export="tiktok"' in page.text and 'data-export="x"' in page.text
    assert 'data-export="shorts"' not in page.text
    assert "YouTube Shorts: at most 1:00" in page.text
    too_long = b.post(f"/app/clips/{long_id}/export", {"preset": "shorts"})
    assert too_long.status_code == 409 and "trim it to" in too_long.text
    assert intruder.post(f"/app/clips/{long_id}/export", {"preset": "tiktok"}).status_code == 404

    # A running export: the block shows its progress and polls its own URL until it ends.
    with b.session_factory() as s:
        from clippy.db.models import ExportJob

        job = ExportJob(
            user_id=b.user_id, clip_id=long_id, preset="tiktok", status="running", progress=0.4
        )
        s.add(job)
        s.commit()
    page = b.get(f"/app/clips/{long_id}")
    assert f'hx-get="/app/clips/{long_id}/exports" hx-trigger="every 1s"' in page.text
    assert 'aria-valuenow="40"' in page.text
    with b.session_factory() as s:
        found = s.get(ExportJob, job.id)
        assert found is not None
        found.status, found.progress = "failed", 0.5
        found.error = "ffmpeg ran out of disk"
        s.commit()
    block = b.get(f"/app/clips/{long_id}/exports").text
    assert "hx-get" not in block and "ffmpeg ran out of disk" in block


def test_team_invite_member_sees_clips_and_removal_revokes_at_once(
    signed_up: Callable[[str], Browserish],
) -> None:
    owner = signed_up("boss@example.com")
    member = signed_up("crew@example.com")
    stranger = signed_up("stranger@example.com")
    assert "part of the Business plan" in owner.get("/app/team").text
    with owner.session_factory() as s:
        from clippy.db.models import User

        boss = s.get(User, owner.user_id)
        assert boss is not None
        boss.plan = "business"
        clip = add_clip(s, add_stream(s, owner.user_id), 0, 20, title="Team highlight")
        s.commit()
        clip_id = clip.id
    owner.get("/app/team")
    assert owner.post("/app/team", {"name": "Night crew"}).status_code == 303
    assert "Night crew" in owner.get("/app/team").text
    bad = owner.post("/app/team/invite", {"email": "not an address"})
    assert bad.status_code == 400
    made = owner.post("/app/team/invite", {"email": "Crew@Example.com"})
    link = re.search(r"data-invite-link>([^<]+)<", made.text)
    assert link is not None
    path = "/" + link.group(1).split("/", 3)[3]

    # The link is for one address; a forged one is refused.
    stranger.get("/app")
    assert stranger.get(path).status_code == 403
    assert stranger.post(path).status_code == 403
    assert member.get(path[:-3] + "abc").status_code == 400
    assert member.get(f"/app/clips/{clip_id}").status_code == 404

    page = member.get(path)
    assert page.status_code == 200 and "Join Night crew" in page.text
    assert member.post(path).headers["location"] == "/app/team"
    assert member.post(path).status_code == 303  # accepting twice changes nothing
    assert "Team highlight" in member.get("/app/clips").text
    assert member.get(f"/app/clips/{clip_id}").status_code == 200
    # A member cannot remove anyone, nor edit the owner's clip.
    assert member.post(f"/app/team/members/{owner.user_id}/remove").status_code == 403
    assert member.post(f"/app/clips/{clip_id}/title", {"title": "x"}).status_code == 404

    team_page = owner.get("/app/team").text
    assert 'data-member="crew@example.com"' in team_page
    removed = owner.post(f"/app/team/members/{member.user_id}/remove")
    assert removed.headers["location"] == "/app/team?saved=removed"
    assert member.get(f"/app/clips/{clip_id}").status_code == 404
    assert "Team highlight" not in member.get("/app/clips").text
