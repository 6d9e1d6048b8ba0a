"""Exporting after editing captions never renders the old captions silently."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from clippy.clips.editing import clip_captions
from clippy.db.models import Clip, ExportJob, User
from tests.dashboard.conftest import (
    DESKTOP,
    Browserish,
    ConsoleWatch,
    add_clip,
    add_stream,
    add_words,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess

SPEECH = "hello there. this is a long sentence with many words in it"


def test_split_and_merge_are_saved_so_an_export_renders_them(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("splitter@example.com")
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id)
        add_words(s, stream, 11.0, SPEECH)
        clip_id = add_clip(s, stream, 10, 20).id
        s.commit()
    page = b.get(f"/app/clips/{clip_id}").text
    body = {
        "start": re.findall(r'name="start" value="([^"]*)"', page),
        "end": re.findall(r'name="end" value="([^"]*)"', page),
        "text": re.findall(r'name="text" value="([^"]*)"', page),
        "style": "clean",
    }
    merged = b.post(f"/app/clips/{clip_id}/captions", {**body, "op": "merge:0"})
    assert merged.status_code == 200 and "Lines merged and saved." in merged.text
    with b.session_factory() as s:
        clip = s.get(Clip, clip_id)
        assert clip is not None
        lines, _style, edited = clip_captions(s, clip)
    # What the export reads is what the page shows, without a separate Save.
    assert edited and lines[0].text == "hello there. this is a long sentence with many"
    split = b.post(
        f"/app/clips/{clip_id}/captions",
        {
            "start": re.findall(r'name="start" value="([^"]*)"', merged.text),
            "end": re.findall(r'name="end" value="([^"]*)"', merged.text),
            "text": re.findall(r'name="text" value="([^"]*)"', merged.text),
            "style": "clean",
            "op": "split:0",
        },
    )
    assert "Line split and saved." in split.text
    with b.session_factory() as s:
        clip = s.get(Clip, clip_id)
        assert clip is not None
        assert len(clip_captions(s, clip)[0]) == 3


def test_typed_but_unsaved_captions_refuse_an_export(server: ServerProcess, browser: Any) -> None:
    srv = server
    srv.register("typist@example.com")
    factory = sessionmaker(create_engine(srv.database_url))
    with factory() as s:
        user = s.scalars(select(User).where(User.email == "typist@example.com")).one()
        stream = add_stream(s, user.id)
        add_words(s, stream, 11.0, SPEECH)
        clip = add_clip(s, stream, 10, 20)
        # The export buttons show for a rendered clip: one with a file in the store.
        clip.file_key = "clips/typist.mp4"
        stored = srv.data_dir / "objects" / "clips" / "typist.mp4"
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(b"\x00" * 64)
        s.commit()
        clip_id = clip.id
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())
    url = f"/app/clips/{clip_id}"
    submit_credentials(page, "typist@example.com", path=url, lands_on=f"**{url}")
    page.fill('input[aria-label="Caption line 1"]', "Hello there, chat!")
    page.locator("#exports [data-export]").first.click()
    note = page.wait_for_selector("[data-unsaved-captions]")
    assert note is not None and "Save captions first" in note.inner_text()
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ExportJob)) == 0
    page.click("[data-save-captions]")
    page.wait_for_url(f"**{url}?saved=captions#captions")
    assert page.input_value('input[aria-label="Caption line 1"]') == "Hello there, chat!"
    assert not page.locator("[data-unsaved-captions]").count()
    context.close()
    assert watch.errors == [], watch.errors
