"""The languages API and the ingest ``start`` language: what the configured model offers, and
an English-only model refusing a German choice when it is saved (422 / an ``error`` event),
with nothing stored."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from clippy.db.models import Stream, User
from tests.fixtures.app import auth, register_user


def _session(client: TestClient) -> object:
    return client.app.state.ctx.session_factory  # type: ignore[attr-defined]


def _stored(client: TestClient, model: type[User] | type[Stream], row_id: int) -> dict[str, object]:
    with _session(client)() as s:  # type: ignore[operator]
        row = s.get(model, row_id)
        assert row is not None
        return dict(row.settings)


def test_english_only_server_offers_english_and_refuses_german(client: TestClient) -> None:
    h = auth(register_user(client, "tiny@example.com"))
    body = client.get("/api/v1/languages", headers=h).json()
    assert body["model"] == "Whisper tiny.en" and body["multilingual"] is False
    assert body["languages"] == [{"code": "en", "name": "English"}]
    assert body["default"] == "en" and body["account_language"] is None

    r = client.put("/api/v1/account/language", json={"language": "de"}, headers=h)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "Whisper tiny.en understands English only" in detail and "(German)" in detail
    assert "CLIPPY_WHISPER_MODEL=base" in detail
    me = client.get("/api/v1/auth/me", headers=h).json()["user"]["id"]
    assert "language" not in _stored(client, User, me)

    r = client.put("/api/v1/account/language", json={"language": "en"}, headers=h)
    assert r.status_code == 200 and r.json()["account_language"] == "en"
    assert client.get("/api/v1/languages").status_code == 401


def test_multilingual_server_keeps_account_and_stream_choices(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(whisper_model="base")
    h = auth(register_user(client, "base@example.com"))
    body = client.get("/api/v1/languages", headers=h).json()
    assert body["multilingual"] is True and body["auto_detect"] is True
    assert body["default"] == "auto" and {"code": "es", "name": "Spanish"} in body["languages"]
    r = client.put("/api/v1/account/language", json={"language": "German"}, headers=h)
    assert r.json()["account_language"] == "de"
    r = client.put("/api/v1/account/language", json={"language": "xx"}, headers=h)
    assert r.status_code == 422 and "not one Whisper knows" in r.json()["detail"]

    with client.websocket_connect("/ws/ingest") as ws:
        ws.send_json({"type": "hello", "protocol": 1, "token": h["Authorization"][7:]})
        assert ws.receive_json()["type"] == "welcome"
        ws.send_json({"type": "start", "stream_id": "es-1", "language": "es"})
        started = ws.receive_json()
    assert started["type"] == "started" and started["language"] == "es"
    stream_id = started["stream_id"]
    assert _stored(client, Stream, stream_id)["language"] == "es"
    out = client.get(f"/api/v1/streams/{stream_id}", headers=h).json()
    assert out["language"] == "es" and out["detected_language"] == ""

    # Back to the account's choice; someone else cannot change it.
    r = client.put(f"/api/v1/streams/{stream_id}/language", json={"language": None}, headers=h)
    assert r.json() == {"stream_id": stream_id, "language": None, "effective": "de", "detected": ""}
    other = auth(register_user(client, "other@example.com"))
    r = client.put(f"/api/v1/streams/{stream_id}/language", json={"language": "fr"}, headers=other)
    assert r.status_code == 404
    assert "language" not in _stored(client, Stream, stream_id)


def test_ingest_start_with_a_language_the_model_lacks(client: TestClient) -> None:
    token = register_user(client, "ws@example.com")
    with client.websocket_connect("/ws/ingest") as ws:
        ws.send_json({"type": "hello", "protocol": 1, "token": token})
        assert ws.receive_json()["type"] == "welcome"
        ws.send_json({"type": "start", "stream_id": "de-1", "language": "de"})
        started = ws.receive_json()
        # The recording starts (nothing is lost), in the account's language, and says why.
        assert started["type"] == "started" and started["language"] == "en"
        refusal = ws.receive_json()
        assert refusal["type"] == "error" and refusal["code"] == "unsupported_language"
        assert refusal["fatal"] is False and "CLIPPY_WHISPER_MODEL=base" in refusal["message"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
    assert "language" not in _stored(client, Stream, started["stream_id"])
