"""Security headers on every response (pages, API, static files, errors), HSTS only over
HTTPS; the CSRF token is bound to the session; /metrics needs a token or a local client."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.dashboard.conftest import PASSWORD, csrf_of
from tests.fixtures.app import auth, register_user


def test_every_response_carries_the_headers(client: TestClient) -> None:
    token = register_user(client, "headers@example.com")
    for method, path, kw in (
        ("GET", "/", {}),
        ("GET", "/login", {}),
        ("GET", "/static/clippy.css", {}),
        ("GET", "/api/v1/auth/me", {"headers": auth(token)}),
        ("GET", "/api/v1/clips/12345", {"headers": auth(token)}),  # 404
        ("GET", "/api/v1/clips", {}),  # 401
        ("POST", "/api/v1/auth/login", {"content": b"x" * 70_000}),  # 413
        ("GET", "/health", {}),
    ):
        r = client.request(method, path, **kw)
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "same-origin", path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
        assert "strict-transport-security" not in r.headers, path


def test_hsts_over_https(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    tls = TestClient(client.app, base_url="https://clippy.example")
    assert tls.get("/health").headers["strict-transport-security"].startswith("max-age=")


def test_s3_media_origin_is_allowed_for_media_only() -> None:
    from clippy.config import Settings
    from clippy.web.headers import content_security_policy, media_origins

    origins = media_origins(Settings(s3_bucket="clips", s3_endpoint_url="https://r2.example.com"))
    csp = content_security_policy(origins)
    assert "media-src 'self' blob: https://r2.example.com" in csp
    assert "script-src 'self';" in csp


def test_csrf_token_is_bound_to_the_session(client: TestClient) -> None:
    register_user(client, "first@example.com")
    register_user(client, "second@example.com")
    browser = TestClient(client.app)

    def log_in(email: str) -> str:
        token = csrf_of(browser.get("/login").text)
        form = {"email": email, "password": PASSWORD, "csrf_token": token}
        assert browser.post("/login", data=form, follow_redirects=False).status_code == 303
        return csrf_of(browser.get("/app/settings").text)

    first = log_in("first@example.com")
    browser.post("/logout", data={"csrf_token": first}, follow_redirects=False)
    second = log_in("second@example.com")
    assert first != second  # same browser, same CSRF cookie, new session: new token
    profile = {"display_name": "Renamed"}
    stale = browser.post("/app/settings/profile", data={**profile, "csrf_token": first})
    assert stale.status_code == 403
    fresh = browser.post(
        "/app/settings/profile", data={**profile, "csrf_token": second}, follow_redirects=False
    )
    assert fresh.status_code == 303


def test_metrics_need_a_token_or_a_local_client(make_client: Callable[..., TestClient]) -> None:
    open_app = make_client()
    assert open_app.get("/metrics").status_code == 403  # TestClient's peer is not loopback
    local = TestClient(open_app.app, client=("127.0.0.1", 50000))
    r = local.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    guarded = make_client(
        metrics_token="s3cret-scrape",
        data_dir=open_app.app.state.ctx.settings.data_dir.parent / "d2",
    )  # type: ignore[attr-defined]
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", headers=auth("wrong")).status_code == 401
    assert guarded.get("/metrics", headers=auth("s3cret-scrape")).status_code == 200


def test_non_ascii_signatures_are_refused_not_500(client: TestClient) -> None:
    for path in (
        "/api/v1/clips/1/thumbnail?exp=7407465123289716&sig=%C2%A3%C3%BF",
        "/api/v1/exports/1/file/main?exp=7407465123289716&sig=%C3%BF",
    ):
        assert client.get(path).status_code == 403, path
    token = csrf_of(client.get("/login").text)
    form = {"email": "a@example.com", "password": "x" * 8, "csrf_token": token + "é"}
    assert client.post("/login", data=form).status_code == 403
