"""Request bodies are bounded per route: JSON API calls small, forms a little larger, the
logo upload by its own rule; refusals are 413 with the usual error body."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from tests.fixtures.app import auth, register_user


def test_a_declared_oversized_json_body_is_413(client: TestClient) -> None:
    body = b'{"email":"a@example.com","password":"' + b"x" * 70_000 + b'"}'
    r = client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json() == {
        "detail": "the request body is too large: this endpoint accepts at most 64 KiB"
    }


def test_a_chunked_oversized_body_is_cut_off(client: TestClient) -> None:
    token = register_user(client, "chunks@example.com")

    def chunks() -> Iterator[bytes]:
        yield b'{"name":"'
        for _ in range(100):
            yield b"k" * 1024
        yield b'"}'

    r = client.post(
        "/api/v1/api-keys",
        content=chunks(),
        headers={**auth(token), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and "at most 64 KiB" in r.json()["detail"]


def test_forms_get_their_own_limit(client: TestClient) -> None:
    r = client.post("/login", data={"email": "a@example.com", "password": "p" * 300_000})
    assert r.status_code == 413 and "at most 256 KiB" in r.json()["detail"]
    # Ordinary bodies are untouched.
    assert (
        client.post("/api/v1/auth/login", json={"email": "x", "password": "y"}).status_code == 401
    )
