"""Landing page, sign up, log in/out, password change, session cookie and CSRF (both DBs)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from clippy.accounts.plans import PLANS
from tests.dashboard.conftest import PASSWORD, Browserish, csrf_of


def test_landing_shows_plans_from_plan_data(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    for plan in PLANS.values():
        assert f'<span class="plan-name">{plan.name.title()}</span>' in html
    # Retention and limits come from PLANS, not from copy in the template.
    assert "12 hours" in html and "48 hours" in html and "7 days" in html
    assert "5 members" in html
    # No external assets: everything is served by the app itself.
    assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/clippy.css").status_code == 200


def test_signup_sets_a_signed_httponly_samesite_session(client: TestClient) -> None:
    page = client.get("/signup")
    token = csrf_of(page.text)
    r = client.post(
        "/signup",
        data={"email": "New@Example.com", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/app?welcome=1"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("clippy_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    home = client.get(r.headers["location"])
    assert home.status_code == 200 and "Welcome to Clippy" in home.text
    assert "new@example.com" in home.text


def test_signup_errors_come_back_on_the_form(
    signed_up: Callable[[str], Browserish], client: TestClient
) -> None:
    signed_up("taken@example.com")
    b = Browserish(TestClient(client.app))
    b.get("/signup")
    weak = b.post("/signup", {"email": "x@example.com", "password": "short"})
    assert weak.status_code == 400 and "at least 8" in weak.text
    taken = b.post("/signup", {"email": "taken@example.com", "password": PASSWORD})
    assert taken.status_code == 400 and "already exists" in taken.text
    bad = b.post("/signup", {"email": "not-an-address", "password": PASSWORD})
    assert bad.status_code == 400 and "is not an e-mail address" in bad.text


def test_csrf_less_post_is_refused(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("csrf@example.com")
    with b.session_factory() as s:
        from tests.dashboard.conftest import add_clip, add_stream

        clip = add_clip(s, add_stream(s, b.user_id), 0, 20)
        s.commit()
        clip_id = clip.id
    posts = {
        "/logout": {},
        f"/app/clips/{clip_id}/title": {"title": "hijacked"},
        f"/app/clips/{clip_id}/delete": {},
        "/app/settings/keys": {"name": "evil"},
    }
    for path, data in posts.items():
        missing = b.client.post(path, data=data, follow_redirects=False)
        assert missing.status_code == 403, path
        forged = b.client.post(path, data={**data, "csrf_token": "0" * 40}, follow_redirects=False)
        assert forged.status_code == 403, path
    # A token from another browser does not match this browser's CSRF cookie.
    other = Browserish(TestClient(b.client.app))
    other.get("/login")
    stolen = b.client.post(
        f"/app/clips/{clip_id}/title",
        data={"title": "hijacked", "csrf_token": other.token},
        follow_redirects=False,
    )
    assert stolen.status_code == 403
    # Nothing changed, and the session is still alive.
    page = b.get(f"/app/clips/{clip_id}")
    assert page.status_code == 200 and "hijacked" not in page.text
    assert b.post(f"/app/clips/{clip_id}/title", {"title": "Mine"}).status_code == 303


def test_login_logout_and_next_redirect(
    signed_up: Callable[[str], Browserish], client: TestClient
) -> None:
    signed_up("log@example.com")
    b = Browserish(TestClient(client.app))
    r = b.client.get("/app/clips?q=hi", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/app/clips%3Fq%3Dhi"
    b.get("/login")
    wrong = b.post("/login", {"email": "log@example.com", "password": "wrong password"})
    assert wrong.status_code == 400 and "wrong e-mail or password" in wrong.text.lower()
    ok = b.post("/login", {"email": "log@example.com", "password": PASSWORD, "next": "/app/clips"})
    assert ok.status_code == 303 and ok.headers["location"] == "/app/clips"
    # An absolute URL as "next" would make the login page an open redirect.
    b.get("/login")
    evil = b.post(
        "/login", {"email": "log@example.com", "password": PASSWORD, "next": "//evil.test/x"}
    )
    assert evil.headers["location"] == "/app"
    b.get("/app")
    out = b.post("/logout")
    assert out.status_code == 303
    assert b.client.get("/app", follow_redirects=False).status_code == 303


def test_password_change_keeps_this_browser_and_ends_others(
    signed_up: Callable[[str], Browserish], client: TestClient
) -> None:
    b = signed_up("pw@example.com")
    other = Browserish(TestClient(client.app))
    other.get("/login")
    other.post("/login", {"email": "pw@example.com", "password": PASSWORD})
    assert other.client.get("/app", follow_redirects=False).status_code == 200

    b.get("/app/settings")
    mismatch = b.post(
        "/app/settings/password",
        {"current": PASSWORD, "new": "another long one", "confirm": "different one"},
    )
    assert mismatch.status_code == 400 and "differ" in mismatch.text
    wrong = b.post(
        "/app/settings/password",
        {"current": "not it at all", "new": "another long one", "confirm": "another long one"},
    )
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    ok = b.post(
        "/app/settings/password",
        {"current": PASSWORD, "new": "another long one", "confirm": "another long one"},
    )
    assert ok.status_code == 303
    assert b.client.get("/app/settings", follow_redirects=False).status_code == 200
    # The other browser's cookie was made for the old password: logged out.
    assert other.client.get("/app", follow_redirects=False).status_code == 303
    fresh = Browserish(TestClient(client.app))
    fresh.get("/login")
    assert (
        fresh.post(
            "/login", {"email": "pw@example.com", "password": "another long one"}
        ).status_code
        == 303
    )


def test_tampered_session_cookie_is_a_visitor(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("tamper@example.com")
    cookie = b.client.cookies["clippy_session"]
    uid, issued, fp, sig = cookie.split(".")
    csrf = b.client.cookies["clippy_csrf"]
    b.client.cookies.clear()
    b.client.cookies.set("clippy_csrf", csrf)
    b.client.cookies.set("clippy_session", f"{uid}.{issued}.{fp}.{sig}")
    assert b.client.get("/app", follow_redirects=False).status_code == 200  # control
    b.client.cookies.set("clippy_session", f"{int(uid) + 1}.{issued}.{fp}.{sig}")
    assert b.client.get("/app", follow_redirects=False).status_code == 303
    b.client.cookies.set("clippy_session", f"{uid}.{int(issued) + 1}.{fp}.{sig}")
    assert b.client.get("/app", follow_redirects=False).status_code == 303
