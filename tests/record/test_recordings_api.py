"""The recordings API: limits of the plan, refusals in one line, ownership, stop; and a
recording resumed by the next start of the server (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.fixtures.app import auth, register_user

# Nothing listens on port 9 (discard): a channel there is "reconnecting" until stopped.
DEAD = "http://127.0.0.1:9/live.m3u8"


def test_recordings_follow_the_plan_and_the_egress_policy(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(egress_allow_hosts="127.0.0.1", record_offline_seconds=600.0)
    a = auth(register_user(client, "a@example.test"))
    b = auth(register_user(client, "b@example.test"))
    api = "/api/v1/recordings"

    r = client.post(api, json={"url": "http://10.9.8.7/live.m3u8"}, headers=a)
    assert r.status_code == 422 and "not a public internet address" in r.json()["detail"]
    r = client.post(api, json={"url": "ftp://example.com/x"}, headers=a)
    assert r.status_code == 422 and "http(s)" in r.json()["detail"]
    r = client.post(api, json={"url": DEAD, "chat": "http://nope"}, headers=a)
    assert r.status_code == 422 and "irc://" in r.json()["detail"]

    first = client.post(api, json={"url": DEAD}, headers=a)
    assert first.status_code == 201, first.text
    rec = first.json()
    assert rec["kind"] == "channel" and rec["status"] in ("starting", "recording", "reconnecting")
    # The free plan records one channel at a time.
    second = client.post(api, json={"url": DEAD}, headers=a)
    assert second.status_code == 429 and "1 channel at once" in second.json()["detail"]

    assert client.get(f"{api}/{rec['id']}", headers=b).status_code == 404
    assert client.post(f"{api}/{rec['id']}/stop", headers=b).status_code == 404
    deadline = time.monotonic() + 30
    while client.get(f"{api}/{rec['id']}", headers=a).json()["stream_id"] is None:
        assert time.monotonic() < deadline, "the recording never opened its stream"
        time.sleep(0.2)
    stopped = client.post(f"{api}/{rec['id']}/stop", headers=a).json()
    assert stopped["status"] == "stopped"
    # Its stream ends (final detection) once the task has noticed.
    deadline = time.monotonic() + 30
    while True:
        stream = client.get(f"/api/v1/streams/{stopped['stream_id']}", headers=a).json()
        if stream["status"] == "ended":
            break
        assert time.monotonic() < deadline, stream
        time.sleep(0.2)
    # A chat address given is kept.
    chat = "irc://127.0.0.1:9/#room"
    again = client.post(api, json={"url": DEAD, "chat": chat}, headers=a).json()
    assert again["chat"] == chat
    client.post(f"{api}/{again['id']}/stop", headers=a)
    assert [x["id"] for x in client.get(api, headers=b).json()] == []


def test_an_active_recording_resumes_when_the_server_starts_again(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(egress_allow_hosts="127.0.0.1", record_offline_seconds=600.0)
    a = auth(register_user(client, "a@example.test"))
    rec = client.post("/api/v1/recordings", json={"url": DEAD}, headers=a).json()
    client.__exit__(None, None, None)  # the server stops; the recording stays active
    again = make_client(egress_allow_hosts="127.0.0.1", record_offline_seconds=600.0)
    ctx = again.app.state.ctx  # type: ignore[attr-defined]
    assert rec["id"] in ctx.recorders.running()
    row = again.get(f"/api/v1/recordings/{rec['id']}", headers=a).json()
    assert row["status"] in ("starting", "recording", "reconnecting")
