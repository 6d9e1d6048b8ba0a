"""Clip length on the settings page (the account) and a stream's page (that stream)."""

from __future__ import annotations

import re
from collections.abc import Callable

from clippy.db.models import Stream, User
from tests.dashboard.conftest import Browserish, add_stream


def _checked(html: str) -> str:
    found = re.findall(r'name="clip_length" value="(\w*)" checked', html)
    assert len(found) == 1, found
    return str(found[0])


def test_account_and_stream_clip_length(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("length@example.com")
    assert _checked(b.get("/app/settings").text) == "medium"  # the server's default
    r = b.post("/app/settings/clip-length", {"clip_length": "long"})
    assert r.status_code == 303 and r.headers["location"].endswith("#clip-length")
    page = b.get("/app/settings?saved=clip_length").text
    assert _checked(page) == "long" and "Clip length saved" in page
    r = b.post("/app/settings/clip-length", {"clip_length": "huge"})
    assert r.status_code == 400
    assert "Clip length &#39;huge&#39; is not one of short, medium, long" in r.text
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None and user.settings["clip_length"] == "long"
        stream_id = add_stream(s, b.user_id).id
        s.commit()

    # A stream follows the account until it chooses its own.
    page = b.get(f"/app/streams/{stream_id}").text
    assert _checked(page) == "" and "As my account (long" in page
    r = b.post(f"/app/streams/{stream_id}/clip-length", {"clip_length": "short"})
    assert r.status_code == 303
    assert _checked(b.get(f"/app/streams/{stream_id}").text) == "short"
    r = b.post(f"/app/streams/{stream_id}/clip-length", {"clip_length": "4h"})
    assert r.status_code == 400 and "Nothing was saved" in r.text
    with b.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None and stream.settings == {"clip_length": "short"}
    assert b.post(f"/app/streams/{stream_id}/clip-length", {}).status_code == 303
    with b.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None and stream.settings == {}

    # Someone else's stream: 404, nothing changed.
    other = signed_up("nosy@example.com")
    other.get("/app/settings")
    r = other.post(f"/app/streams/{stream_id}/clip-length", {"clip_length": "long"})
    assert r.status_code == 404
    with b.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None and stream.settings == {}
