"""A 390x844 phone: gallery filters folded, the clip page's Export early and split/merge
reachable; screenshots of both sizes go to the artifacts folder."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from clippy.db.models import User
from tests.dashboard.conftest import (
    DESKTOP,
    PHONE,
    ConsoleWatch,
    add_clip,
    add_stream,
    add_words,
    shot,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess


def _top(page: Any, selector: str) -> float:
    top: float = page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")
    return top


def test_phone_gallery_and_clip_page(server: ServerProcess, browser: Any) -> None:
    srv = server
    srv.register("phone@example.com")
    factory = sessionmaker(create_engine(srv.database_url))
    with factory() as s:
        user = s.scalars(select(User).where(User.email == "phone@example.com")).one()
        stream = add_stream(s, user.id, title="Late night ranked")
        add_words(s, stream, 11.0, "hello there. this is a long sentence with many words in it")
        clip = add_clip(s, stream, 10, 20, title="Clutch 1v3")
        # A rendered clip (a file in the store) has the export buttons.
        clip.file_key = "clips/phone.mp4"
        stored = srv.data_dir / "objects" / "clips" / "phone.mp4"
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(b"\x00" * 64)
        for n in range(5):
            add_clip(s, stream, 30 + 10 * n, 38 + 10 * n, title=f"Moment {n}")
        s.commit()
        clip_id = clip.id
    watch = ConsoleWatch()
    context = browser.new_context(viewport=PHONE, base_url=srv.http)
    page = watch.attach(context.new_page())
    submit_credentials(page, "phone@example.com", path="/app/clips", lands_on="**/app/clips")

    # Gallery: search and a Filters button; the clips start on the first screen.
    assert page.is_visible("#q") and page.is_visible("[data-toggle-filters]")
    assert not page.is_visible('select[name="stream"]')
    assert _top(page, ".clip-card") < PHONE["height"] * 0.6
    shot(page, "gallery-phone-filters-folded")
    page.click("[data-toggle-filters]")
    assert page.is_visible('select[name="stream"]') and page.is_visible('select[name="sort"]')
    assert page.get_attribute("[data-toggle-filters]", "aria-expanded") == "true"
    shot(page, "gallery-phone-filters-open")
    # A filter in the URL keeps them open (the user sees what narrows the list).
    page.goto("/app/clips?status=ready")
    assert page.is_visible('select[name="status"]')

    # Clip page: Export right under the player, before trim and captions; split and merge
    # are on screen.
    page.goto(f"/app/clips/{clip_id}")
    player, export = _top(page, ".player"), _top(page, "#exports")
    assert player < export < _top(page, "#trim") < _top(page, "#captions")
    assert export < PHONE["height"]
    assert page.locator("#captions button:has-text('Split')").first.is_visible()
    assert page.locator("#captions button:has-text('Merge')").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "clip-phone-export-early")

    # Desktop keeps two columns: the side panel beside the player.
    page.set_viewport_size(DESKTOP)
    page.goto(f"/app/clips/{clip_id}")
    side_left = page.eval_on_selector(".clip-side", "e => e.getBoundingClientRect().left")
    assert side_left > page.eval_on_selector(".player", "e => e.getBoundingClientRect().right")
    shot(page, "clip-desktop")
    page.goto("/app/clips")
    assert page.is_visible('select[name="stream"]')
    assert not page.is_visible("[data-toggle-filters]")
    shot(page, "gallery-desktop")
    context.close()
    assert watch.errors == [], watch.errors
