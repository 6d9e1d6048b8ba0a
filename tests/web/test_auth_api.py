"""The auth and API-key routes through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from clippy.accounts.tokens import create_access_token
from clippy.db.types import utcnow
from tests.fixtures.app import auth

PASSWORD = "correct horse battery"


def _register(client: TestClient, email: str = "api@example.com") -> dict[str, object]:
    r = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Api"},
    )
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def _login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    body: dict[str, str] = r.json()
    return body


def test_register_returns_the_user_and_tokens(client: TestClient) -> None:
    body = _register(client, "New@Example.com")
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    assert body["user"]["email"] == "new@example.com"  # type: ignore[index]
    assert body["user"]["plan"] == "free"  # type: ignore[index]
    me = client.get("/api/v1/auth/me", headers=auth(str(body["access_token"])))
    assert me.status_code == 200 and me.json()["user"]["display_name"] == "Api"


def test_register_errors_are_409_and_400_with_reasons(client: TestClient) -> None:
    _register(client, "taken@example.com")
    r = client.post(
        "/api/v1/auth/register", json={"email": "TAKEN@example.com", "password": PASSWORD}
    )
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    r = client.post("/api/v1/auth/register", json={"email": "x@example.com", "password": "short"})
    assert r.status_code == 400 and "at least 8" in r.json()["detail"]
    r = client.post("/api/v1/auth/register", json={"email": "nope", "password": PASSWORD})
    assert r.status_code == 400 and "not an e-mail address" in r.json()["detail"]


def test_login_wrong_password_is_401(client: TestClient) -> None:
    _register(client, "login@example.com")
    tokens = _login(client, "LOGIN@example.com")
    assert tokens["access_token"] and tokens["refresh_token"].startswith("rt_")
    r = client.post(
        "/api/v1/auth/login", json={"email": "login@example.com", "password": "wrong password"}
    )
    assert r.status_code == 401 and r.json()["detail"] == "wrong e-mail or password"


def test_me_shows_plan_limits_and_todays_usage(client: TestClient) -> None:
    token = str(_register(client)["access_token"])
    body = client.get("/api/v1/auth/me", headers=auth(token)).json()
    assert body["plan"] == {
        "name": "free",
        "recording_hours_per_day": 1.0,
        "clips_per_day": 3,
        "retention_hours": 12.0,
        "max_export_height": 720,
        "watermark": True,
        "team_seats": 1,
        "api_and_webhooks": False,
    }
    usage = body["usage_today"]
    assert (usage["recording_seconds"], usage["clips"], usage["exports"]) == (0.0, 0, 0)
    assert usage["day"] == utcnow().date().isoformat()


def test_refresh_rotates_reuse_is_refused_and_logs_out_everywhere(client: TestClient) -> None:
    first = str(_register(client)["refresh_token"])
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 200, r.text
    second = r.json()["refresh_token"]
    assert second != first
    assert client.get("/api/v1/auth/me", headers=auth(r.json()["access_token"])).status_code == 200
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401 and "already used" in reused.json()["detail"]
    # The thief's use of the old token also killed the legitimate successor.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": second}).status_code == 401


def test_logout_revokes_the_refresh_token(client: TestClient) -> None:
    refresh = str(_register(client)["refresh_token"])
    assert client.post("/api/v1/auth/logout", json={"refresh_token": refresh}).status_code == 204
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "not authenticated"),
        ("Basic dXNlcjpwYXNz", "not authenticated"),
        ("Bearer not.a.jwt", "malformed"),
        ("Bearer clp_0000_x", "malformed"),
    ],
)
def test_missing_or_bad_credentials_are_401_with_bearer_challenge(
    client: TestClient, header: str | None, reason: str
) -> None:
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert reason in r.json()["detail"]


def test_expired_and_foreign_access_tokens_are_401(client: TestClient) -> None:
    user_id = int(_register(client)["user"]["id"])  # type: ignore[index]
    expired = create_access_token(
        "test-secret-0123456789abcdef0123456789abcdef",
        user_id,
        15,
        now=utcnow() - timedelta(hours=1),
    )
    r = client.get("/api/v1/auth/me", headers=auth(expired))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    foreign = create_access_token("some-other-server-secret-32-bytes!!", user_id, 15)
    r = client.get("/api/v1/auth/me", headers=auth(foreign))
    assert r.status_code == 401 and "signature" in r.json()["detail"]


def test_password_change_returns_new_tokens_and_ends_old_sessions(client: TestClient) -> None:
    body = _register(client, "pw@example.com")
    token, old_refresh = str(body["access_token"]), str(body["refresh_token"])
    r = client.post(
        "/api/v1/auth/password",
        headers=auth(token),
        json={"current_password": "wrong password", "new_password": "a new password"},
    )
    assert r.status_code == 400 and "current password is wrong" in r.json()["detail"]
    r = client.post(
        "/api/v1/auth/password",
        headers=auth(token),
        json={"current_password": PASSWORD, "new_password": "a new password"},
    )
    assert r.status_code == 200, r.text
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": old_refresh}).is_error
    new_refresh = r.json()["refresh_token"]
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": new_refresh}).is_success
    _login(client, "pw@example.com", "a new password")


def test_api_key_is_shown_once_authenticates_and_stops_after_revoke(client: TestClient) -> None:
    token = str(_register(client)["access_token"])
    r = client.post("/api/v1/api-keys", headers=auth(token), json={"name": "OBS"})
    assert r.status_code == 201, r.text
    created = r.json()
    key = created["key"]
    assert key.startswith(f"clp_{created['prefix']}_")
    me = client.get("/api/v1/auth/me", headers=auth(key))
    assert me.status_code == 200 and me.json()["user"]["email"] == "api@example.com"
    listed = client.get("/api/v1/api-keys", headers=auth(token)).json()
    assert [k["name"] for k in listed] == ["OBS"]
    assert "key" not in listed[0] and key not in str(listed)
    assert listed[0]["last_used_at"] is not None
    assert client.delete(f"/api/v1/api-keys/{created['id']}", headers=auth(key)).status_code == 204
    r = client.get("/api/v1/auth/me", headers=auth(key))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    listed = client.get("/api/v1/api-keys", headers=auth(token)).json()
    assert listed[0]["revoked_at"] is not None


def test_another_users_api_key_id_is_404(client: TestClient) -> None:
    alice = str(_register(client, "alice@example.com")["access_token"])
    bob = str(_register(client, "bob@example.com")["access_token"])
    key_id = client.post("/api/v1/api-keys", headers=auth(alice), json={}).json()["id"]
    r = client.delete(f"/api/v1/api-keys/{key_id}", headers=auth(bob))
    assert r.status_code == 404 and "no API key with id" in r.json()["detail"]
    assert client.get("/api/v1/api-keys", headers=auth(bob)).json() == []
    assert client.get("/api/v1/api-keys", headers=auth(alice)).json()[0]["revoked_at"] is None


def test_openapi_documents_the_routes_and_the_bearer_scheme(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for path in ("/api/v1/auth/register", "/api/v1/auth/me", "/api/v1/api-keys/{key_id}"):
        assert path in doc["paths"]
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    register = doc["paths"]["/api/v1/auth/register"]["post"]
    assert {"201", "400", "409"} <= set(register["responses"])
