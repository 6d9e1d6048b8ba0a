"""Clip tags: parsing, storage, the clip page form, gallery filter and search, the API, and a
real browser (tag a clip, follow its chip to the filtered gallery)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from clippy.clips.tags import MAX_TAGS, TagError, parse_tags, set_tags, tags_by_clip, user_tags
from clippy.db.models import Clip, ClipTag, User
from tests.dashboard.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    Browserish,
    ConsoleWatch,
    add_clip,
    add_stream,
    shot,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess


def _card_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="clip-(\d+)"', html)]


def test_parse_tags_cleans_dedupes_and_explains_refusals() -> None:
    assert parse_tags(" Boss  Fight, #fails,,boss fight , FAILS, gg_wp, 2-0 ") == [
        "boss fight",
        "fails",
        "gg_wp",
        "2-0",
    ]
    assert parse_tags("") == [] and parse_tags(" , ,") == []
    assert parse_tags("überraschung, 日本") == ["überraschung", "日本"]
    with pytest.raises(TagError, match="only letters, digits"):
        parse_tags("ok, bad/tag")
    with pytest.raises(TagError, match="longer than 30"):
        parse_tags("x" * 31)
    with pytest.raises(TagError, match=f"at most {MAX_TAGS} tags; you gave 21"):
        parse_tags(",".join(f"t{i}" for i in range(21)))


def test_tags_are_stored_in_order_replaced_and_go_with_their_clip(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("tagger@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        one, two = add_clip(s, stream, 0, 10), add_clip(s, stream, 20, 30)
        set_tags(s, one, ["fails", "boss fight"])
        set_tags(s, two, ["fails"])
        s.commit()
        assert tags_by_clip(s, [one.id, two.id]) == {
            one.id: ["fails", "boss fight"],
            two.id: ["fails"],
        }
        assert user_tags(s, [b.user_id]) == ["fails", "boss fight"]  # most used first
        set_tags(s, one, ["boss fight", "clutch"])  # replaced, in the new order
        s.commit()
        assert tags_by_clip(s, [one.id]) == {one.id: ["boss fight", "clutch"]}
        s.delete(one)
        s.commit()
        assert set(s.scalars(select(ClipTag.clip_id))) == {two.id}


def test_clip_page_form_gallery_filter_and_search(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("owner@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        tagged = add_clip(s, stream, 0, 10, title="Dragon fight").id
        other = add_clip(s, stream, 20, 30, title="Intro").id
        s.commit()
    saved = b.post(f"/app/clips/{tagged}/title", {"title": "Dragon fight", "tags": "Boss, #GG"})
    assert saved.status_code == 303
    page = b.get(saved.headers["location"]).text
    assert "Title and tags saved." in page and 'value="boss, gg"' in page
    assert 'href="/app/clips?tag=boss"' in page
    # A bad tag: 400, nothing changed, what was typed comes back with the reason.
    bad = b.post(f"/app/clips/{tagged}/title", {"title": "Renamed", "tags": "boss, a/b"})
    assert bad.status_code == 400
    assert "Tags not saved" in bad.text and 'value="boss, a/b"' in bad.text
    with b.session_factory() as s:
        clip = s.get(Clip, tagged)
        assert clip is not None and clip.title == "Dragon fight"
        assert tags_by_clip(s, [tagged]) == {tagged: ["boss", "gg"]}
    # A form without the tags field (an older page) renames and leaves the tags alone.
    assert b.post(f"/app/clips/{tagged}/title", {"title": "Dragon!"}).status_code == 303
    with b.session_factory() as s:
        assert tags_by_clip(s, [tagged]) == {tagged: ["boss", "gg"]}

    gallery = b.get("/app/clips").text
    assert '<option value="boss"' in gallery and "#boss" in gallery
    assert _card_ids(b.get("/app/clips?tag=boss").text) == [tagged]
    assert _card_ids(b.get("/app/clips?tag=nothing").text) == []
    assert _card_ids(b.get("/app/clips?q=GG").text) == [tagged]  # a typed tag finds it too
    assert sorted(_card_ids(b.get("/app/clips").text)) == sorted([tagged, other])


def test_tags_are_the_owners_alone(signed_up: Callable[[str], Browserish]) -> None:
    owner = signed_up("mine@example.com")
    intruder = signed_up("theirs@example.com")
    with owner.session_factory() as s:
        clip_id = add_clip(s, add_stream(s, owner.user_id), 0, 10, title="Private").id
        set_tags(s, s.get(Clip, clip_id), ["secret"])  # type: ignore[arg-type]
        s.commit()
    intruder.get("/app")
    r = intruder.post(f"/app/clips/{clip_id}/title", {"title": "x", "tags": "mine"})
    assert r.status_code == 404
    assert "secret" not in intruder.get("/app/clips").text  # another user's tags never listed
    assert _card_ids(intruder.get("/app/clips?tag=secret").text) == []
    # No CSRF token: refused.
    r = owner.client.post(
        f"/app/clips/{clip_id}/title", data={"title": "x", "tags": "y"}, follow_redirects=False
    )
    assert r.status_code == 403

    def token(b: Browserish) -> dict[str, str]:
        body = {"email": b.email, "password": PASSWORD}
        r = b.client.post("/api/v1/auth/login", json=body)
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    api = owner.client
    put = api.put(
        f"/api/v1/clips/{clip_id}/tags", json={"tags": ["Raid", "gg"]}, headers=token(owner)
    )
    assert put.status_code == 200 and put.json()["tags"] == ["raid", "gg"]
    assert api.get(f"/api/v1/clips/{clip_id}", headers=token(owner)).json()["tags"] == [
        "raid",
        "gg",
    ]
    listed = api.get("/api/v1/clips", headers=token(owner)).json()
    assert listed[0]["tags"] == ["raid", "gg"]
    bad = api.put(f"/api/v1/clips/{clip_id}/tags", json={"tags": ["a/b"]}, headers=token(owner))
    assert bad.status_code == 422 and "only letters" in bad.json()["detail"]
    other = intruder.client.put(
        f"/api/v1/clips/{clip_id}/tags", json={"tags": ["x"]}, headers=token(intruder)
    )
    assert other.status_code == 404


def test_tags_in_the_browser(server: ServerProcess, browser: Any) -> None:
    srv = server
    srv.register("browser-tags@example.com")
    factory = sessionmaker(create_engine(srv.database_url))
    with factory() as s:
        user = s.scalars(select(User).where(User.email == "browser-tags@example.com")).one()
        stream = add_stream(s, user.id, title="Sunday stream")
        clip_id = add_clip(s, stream, 0, 12, title="Clutch round").id
        add_clip(s, stream, 30, 40, title="Warm-up")
        s.commit()
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())
    clip_url = f"/app/clips/{clip_id}"
    submit_credentials(page, "browser-tags@example.com", path=clip_url, lands_on=f"**{clip_url}")

    # The refused form answers 400, which the browser logs: expected here.
    watch.expected.add((f"{srv.http}/app/clips/{clip_id}/title", 400))
    page.fill('input[name="tags"]', "clutch, a/b")
    page.click("text=Save title and tags")
    assert "Tags not saved" in page.inner_text(".flash-error")
    assert page.input_value('input[name="tags"]') == "clutch, a/b"
    page.fill('input[name="tags"]', "Clutch, #ranked, highlight reel")
    page.click("text=Save title and tags")
    page.wait_for_selector("[data-clip-tags]")
    assert page.inner_text("[data-clip-tags]").split() == [
        "#clutch",
        "#ranked",
        "#highlight",
        "reel",
    ]
    shot(page, "clip-tags-desktop")

    page.click("[data-clip-tags] >> text=#ranked")
    page.wait_for_url("**/app/clips?tag=ranked")
    cards = page.locator(".clip-card").evaluate_all("els => els.map(e => +e.dataset.clipId)")
    assert cards == [clip_id]
    assert page.input_value('select[name="tag"]') == "ranked"
    shot(page, "gallery-tag-filter-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "gallery-tag-filter-phone")
    context.close()
    assert watch.errors == [], watch.errors
