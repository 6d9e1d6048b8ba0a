"""Getting and connecting the extension from the dashboard, and keeping `next` through sign-up."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from clippy.db.models import Stream
from clippy.extension import write_bundle
from tests.dashboard.conftest import PASSWORD, Browserish, add_clip, add_stream


def _pairing(b: Browserish, name: str = "Chrome on Linux") -> dict[str, Any]:
    r = b.client.post("/api/v1/browsers/pairings", json={"name": name})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _claim(b: Browserish, claim_token: str) -> Any:
    return b.client.post("/api/v1/browsers/pairings/claim", json={"claim_token": claim_token})


def _me(b: Browserish, key: str) -> int:
    r = b.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    return r.status_code


def test_connect_page_pairs_the_browser_and_settings_disconnect_it(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("pair@example.com")
    p = _pairing(b)
    assert p["connect_url"].endswith(f"/app/connect?code={p['code']}")
    assert _claim(b, p["claim_token"]).json() == {
        "status": "pending",
        "credential": "",
        "email": "",
    }

    page = b.get(f"/app/connect?code={p['code']}")
    assert page.status_code == 200
    assert p["code"] in page.text and "Chrome on Linux" in page.text
    done = b.post("/app/connect", {"code": p["code"]})
    assert done.status_code == 200 and "data-connected" in done.text

    claim = _claim(b, p["claim_token"]).json()
    assert claim["status"] == "connected" and claim["email"] == "pair@example.com"
    key = claim["credential"]
    assert _me(b, key) == 200
    # Handed out once: a second poll (or a thief with the claim token) gets nothing.
    again = _claim(b, p["claim_token"])
    assert again.status_code == 410 and "already used" in again.json()["detail"]

    settings = b.get("/app/settings").text
    assert "Connected browsers" in settings and f"clb_{key.split('_')[1]}_" in settings
    row_id = settings.split('data-browser="')[1].split('"')[0]
    r = b.post(f"/app/settings/browsers/{row_id}/revoke")
    assert r.status_code == 303 and "browser_revoked" in r.headers["location"]
    assert _me(b, key) == 401
    assert "disconnected" in b.get("/app/settings").text
    # Another account cannot disconnect it (nor learn it exists).
    stranger = signed_up("stranger@example.com")
    assert stranger.post(f"/app/settings/browsers/{row_id}/revoke").status_code == 404


def test_unknown_or_used_codes_are_refused_clearly(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("codes@example.com")
    bad = b.get("/app/connect?code=ZZZZ-ZZZZ")
    assert bad.status_code == 410 and "no browser is waiting" in bad.text
    malformed = b.get("/app/connect?code=hello")
    assert malformed.status_code == 410 and "not valid" in malformed.text
    p = _pairing(b)
    assert b.post("/app/connect", {"code": p["code"]}).status_code == 200
    twice = b.post("/app/connect", {"code": p["code"]})
    assert twice.status_code == 410 and "no browser is waiting" in twice.text
    assert _claim(b, "x" * 43).status_code == 410


def test_connect_page_of_a_visitor_goes_through_sign_up_and_back(
    make_client: Callable[..., TestClient],
) -> None:
    app = make_client()
    b = Browserish(TestClient(app.app))
    p = _pairing(b)
    r = b.client.get(f"/app/connect?code={p['code']}", follow_redirects=False)
    assert r.status_code == 303
    login = b.get(r.headers["location"]).text
    target = f"/app/connect?code={p['code']}"
    assert f'href="/signup?next={quote(target, safe="/")}"' in login.replace("&amp;", "&")
    form = b.get(f"/signup?next={quote(target, safe='/')}").text
    assert f'name="next" value="{target}"' in form
    made = b.post("/signup", {"email": "invitee@example.com", "password": PASSWORD, "next": target})
    assert made.status_code == 303 and made.headers["location"] == target
    assert "data-approve" in b.get(target).text


def test_invitation_next_is_kept_through_create_an_account(
    make_client: Callable[..., TestClient],
) -> None:
    app = make_client()
    b = Browserish(TestClient(app.app))
    invite = "/invite/some-token"
    login = b.get(f"/login?next={quote(invite, safe='/')}").text
    link = login.split("data-signup-link")[0].rsplit('href="', 1)[1].split('"')[0]
    assert link == f"/signup?next={quote(invite, safe='/')}"
    signup = b.get(link).text
    assert f'name="next" value="{invite}"' in signup
    # A weak password brings the form back still carrying the invitation.
    weak = b.post("/signup", {"email": "x@example.com", "password": "short", "next": invite})
    assert weak.status_code == 400 and f'name="next" value="{invite}"' in weak.text
    ok = b.post("/signup", {"email": "x@example.com", "password": PASSWORD, "next": invite})
    assert ok.status_code == 303 and ok.headers["location"] == invite
    # Elsewhere than this site is never a destination.
    evil = Browserish(TestClient(app.app))
    r = evil.post(
        "/signup", {"email": "y@example.com", "password": PASSWORD, "next": "//evil.example"}
    )
    assert r.headers["location"] == "/app"
    plain = Browserish(TestClient(app.app))
    r = plain.post("/signup", {"email": "z@example.com", "password": PASSWORD})
    assert r.headers["location"] == "/app?welcome=1"


def _tiny_dist(root: Path) -> Path:
    dist = root / "dist"
    (dist / "popup").mkdir(parents=True)
    (dist / "manifest.json").write_text('{"manifest_version": 3}')
    (dist / "popup" / "popup.html").write_text("<p>popup</p>")
    return dist


def test_get_the_extension_hands_out_a_zip_that_knows_the_server(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    bundle = tmp_path / "clippy-extension.zip"
    assert write_bundle(_tiny_dist(tmp_path), bundle) == 2
    app = make_client(extension_bundle=bundle, public_url="https://clips.example.com")
    b = Browserish(TestClient(app.app))
    b.get("/signup")
    b.post("/signup", {"email": "zip@example.com", "password": PASSWORD})
    home = b.get("/app?welcome=1").text
    assert 'href="/app/extension" data-get-extension' in home and "data-first-run" in home
    page = b.get("/app/extension").text
    assert "data-download-extension" in page and "Load unpacked" in page
    r = b.client.get("/app/extension/clippy-extension.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = set(zf.namelist())
        assert names == {
            "clippy-extension/manifest.json",
            "clippy-extension/popup/popup.html",
            "clippy-extension/server.json",
        }
        server = json.loads(zf.read("clippy-extension/server.json"))
    assert server == {"serverUrl": "https://clips.example.com"}


def test_a_server_without_a_built_extension_says_how_to_build_it(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    app = make_client(extension_bundle=tmp_path / "missing.zip")
    b = Browserish(TestClient(app.app))
    b.get("/signup")
    b.post("/signup", {"email": "nozip@example.com", "password": PASSWORD})
    page = b.get("/app/extension").text
    assert "data-extension-missing" in page and "scripts/setup.sh" in page
    r = b.client.get("/app/extension/clippy-extension.zip")
    assert r.status_code == 503 and "scripts/setup.sh" in r.text


def _steps(html: str) -> dict[str, bool]:
    found = re.findall(r'data-step="(\w+)"( data-done)?', html)
    return {key: bool(done) for key, done in found}


def test_home_first_run_follows_progress_and_clips_the_last_seconds(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("steps@example.com")
    assert _steps(b.get("/app").text) == {
        "install": False,
        "connect": False,
        "record": False,
        "clip": False,
    }
    p = _pairing(b)
    b.post("/app/connect", {"code": p["code"]})
    _claim(b, p["claim_token"])
    assert _steps(b.get("/app").text) == {
        "install": True,
        "connect": True,
        "record": False,
        "clip": False,
    }
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id, status="live", received_until=12.0)
        s.commit()
        stream_id = stream.id
    home = b.get("/app").text
    assert _steps(home)["record"] and not _steps(home)["clip"]
    assert f'action="/app/live/{stream_id}/clip"' in home
    # Nothing processed yet: Home says so instead of failing.
    r = b.post(f"/app/live/{stream_id}/clip")
    assert r.status_code == 303 and "clip_error=" in r.headers["location"]
    assert "try again in a few seconds" in b.get(r.headers["location"]).text
    # Someone else's stream is not theirs to clip.
    other = signed_up("other-steps@example.com")
    assert other.post(f"/app/live/{stream_id}/clip").status_code == 404
    with b.session_factory() as s:
        add_clip(s, s.get(Stream, stream_id), 0, 10)
        s.commit()
    assert "data-first-run" not in b.get("/app").text
