"""Log-in, sign-up, refresh and password change are throttled per account and per client
address with 429 and Retry-After (API and dashboard forms), before any password is hashed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

import clippy.accounts.users as users
from tests.fixtures.app import auth, register_user

PASSWORD = "correct horse battery"


def _login(client: TestClient, email: str, password: str) -> int:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    if r.status_code == 429:
        retry = int(r.headers["Retry-After"])
        assert 0 < retry <= 900 and "too many log-in attempts" in r.json()["detail"]
    return r.status_code


def test_wrong_passwords_lock_the_account_not_the_right_one_later(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(auth_account_attempts=5)
    register_user(client, "victim@example.com")
    codes = [_login(client, "victim@example.com", "wrong password!") for _ in range(5)]
    assert codes == [401] * 5
    # The 6th guess is refused before any hashing: argon2 is not even called.
    calls: list[str] = []
    real = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda *a: calls.append("v") or real(*a))
    assert _login(client, "VICTIM@example.com", "wrong password!") == 429
    assert _login(client, "victim@example.com", PASSWORD) == 429
    assert calls == []
    # Another account from the same address is not locked.
    register_user(client, "other@example.com")
    assert _login(client, "other@example.com", PASSWORD) == 200


def test_successful_log_ins_do_not_use_the_budget(make_client: Callable[..., TestClient]) -> None:
    client = make_client(auth_account_attempts=2, auth_address_attempts=3)
    register_user(client, "daily@example.com")
    assert [_login(client, "daily@example.com", PASSWORD) for _ in range(6)] == [200] * 6


def test_one_address_guessing_many_accounts_is_throttled(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(auth_address_attempts=4)
    codes = [_login(client, f"user{n}@example.com", "wrong password!") for n in range(6)]
    assert codes == [401] * 4 + [429] * 2


def test_sign_ups_per_address(make_client: Callable[..., TestClient]) -> None:
    client = make_client(auth_address_signups=3)
    for n in range(3):
        register_user(client, f"new{n}@example.com")
    r = client.post(
        "/api/v1/auth/register", json={"email": "more@example.com", "password": PASSWORD}
    )
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "too many sign-up attempts" in r.json()["detail"]


def test_refresh_failures_per_address(make_client: Callable[..., TestClient]) -> None:
    client = make_client(auth_address_attempts=3)
    codes = [
        client.post("/api/v1/auth/refresh", json={"refresh_token": f"rt_guess{n}"}).status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_password_change_guesses_per_account(make_client: Callable[..., TestClient]) -> None:
    client = make_client(auth_account_attempts=2)
    headers = auth(register_user(client, "pw@example.com"))
    body = {"current_password": "not my password", "new_password": "a brand new secret"}
    codes = [client.post("/api/v1/auth/password", headers=headers, json=body).status_code]
    codes.append(client.post("/api/v1/auth/password", headers=headers, json=body).status_code)
    r = client.post("/api/v1/auth/password", headers=headers, json=body)
    assert codes == [400, 400] and r.status_code == 429 and "Retry-After" in r.headers


def test_the_log_in_form_is_throttled_too(make_client: Callable[..., TestClient]) -> None:
    from tests.dashboard.conftest import csrf_of

    client = make_client(auth_account_attempts=2)
    register_user(client, "form@example.com")
    token = csrf_of(client.get("/login").text)
    form = {"email": "form@example.com", "password": "wrong password!", "csrf_token": token}
    codes = [client.post("/login", data=form).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    r = client.post("/login", data=form)
    assert int(r.headers["Retry-After"]) > 0 and "Too many log-in attempts" in r.text
