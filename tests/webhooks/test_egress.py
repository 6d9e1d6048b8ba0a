"""Egress policy of webhook URLs: every spelling of an internal address is refused when the
URL is saved and when it is called, the request goes to the address that was checked, and a
failed delivery's log text does not tell an open port from a closed one."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from clippy.webhooks.egress import (
    EgressPolicy,
    EgressRefused,
    check_url,
    pinned_request,
    resolve,
)
from clippy.webhooks.transport import NO_ANSWER, Attempt, deliver
from tests.fixtures.webhook_receiver import LOOPBACK, dead_url, webhook_receiver

STRICT = EgressPolicy()

INTERNAL = [
    "http://127.0.0.1/h",
    "http://127.0.0.1:6379/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://127.1/",
    "http://0x7f.0.0.1/",
    "http://017700000001/",  # octal
    "http://0/",
    "http://0.0.0.0:8000/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, IPv4-mapped
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://localhost:8000/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://printer.local/",
    "http://example.com@127.0.0.1/",  # userinfo: the host is 127.0.0.1
    "http://user:pw@example.com/",
    "ftp://example.com/",
    "http:///nohost",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_urls_are_refused_when_saved(url: str) -> None:
    with pytest.raises(EgressRefused):
        check_url(url, STRICT)


@pytest.mark.parametrize(
    "url", ["https://example.com/hook", "http://93.184.216.34:8080/x", "https://[2606:4700::1]/"]
)
def test_public_urls_pass(url: str) -> None:
    check_url(url, STRICT)


def test_operator_allow_list_names_hosts_and_networks() -> None:
    policy = EgressPolicy.from_setting(" hooks.lan , 10.0.0.0/8,[::1]")
    check_url("http://hooks.lan:9000/h", policy)
    check_url("http://10.9.8.7/h", policy)
    check_url("http://[::1]:81/h", policy)
    with pytest.raises(EgressRefused):
        check_url("http://192.168.0.1/h", policy)


def _resolver(*answers: list[str]) -> tuple[list[str], object]:
    """A DNS answer per lookup, in order (the network's DNS is unreachable from tests)."""
    asked: list[str] = []
    queue = list(answers)

    def lookup(host: str, _port: int) -> list[str]:
        asked.append(host)
        return queue.pop(0)

    return asked, lookup


def test_a_name_with_any_internal_address_is_refused() -> None:
    _asked, lookup = _resolver(["93.184.216.34", "127.0.0.1"])
    with pytest.raises(EgressRefused, match="not allowed"):
        resolve("https://rebind.example.com/h", STRICT, lookup)  # type: ignore[arg-type]
    _asked, lookup = _resolver(["169.254.169.254"])
    with pytest.raises(EgressRefused):
        resolve("https://metadata-alias.example.com/", STRICT, lookup)  # type: ignore[arg-type]


def test_the_system_resolver_sees_short_forms_as_loopback() -> None:
    # getaddrinfo itself turns 127.1 into 127.0.0.1: a refusal by number, not by spelling.
    with pytest.raises(EgressRefused):
        resolve("http://127.1:9/", EgressPolicy(hosts=frozenset({"unrelated"})))


def test_the_request_goes_to_the_checked_address() -> None:
    """DNS rebinding: the name is resolved once; the connection goes to that address with
    the name in Host, and a second lookup (which would now say something else) never
    happens."""
    with webhook_receiver() as rec:
        port = httpx.URL(rec.url).port
        asked, lookup = _resolver(["127.0.0.1"], ["10.0.0.1"])
        policy = EgressPolicy.from_setting("127.0.0.0/8")
        target = resolve(f"http://hooks.rebind.test:{port}/hook", policy, lookup)  # type: ignore[arg-type]
        with httpx.Client(trust_env=False) as client:
            r = pinned_request(client, target, "POST", content=b"{}", headers={}, timeout=5)
        assert r.status_code == 200
        assert asked == ["hooks.rebind.test"]
        (call,) = rec.wait_for(1)
        assert call.headers["Host"] == f"hooks.rebind.test:{port}"


def test_delivery_to_a_refused_address_stops_at_once_and_sends_nothing() -> None:
    with webhook_receiver() as rec:
        seen: list[Attempt] = []
        ok = deliver(rec.url, "k", "ping", b"{}", attempts=5, sleep=lambda _s: None,
                     on_attempt=seen.append)  # fmt: skip
        assert not ok and rec.calls == []
        assert len(seen) == 1 and seen[0].final and "not allowed" in (seen[0].error or "")


def test_redirects_are_not_followed() -> None:
    with webhook_receiver() as inner, webhook_receiver([307]) as outer:
        # The receiver answers 307; even to an allowed address nothing is followed.
        seen: list[Attempt] = []
        ok = deliver(outer.url, "k", "ping", b"{}", attempts=1, policy=LOOPBACK,
                     on_attempt=seen.append)  # fmt: skip
        assert not ok and seen[0].error == "HTTP 307" and inner.calls == []


@contextmanager
def _hang_up_port() -> Iterator[str]:
    """An open port whose service accepts and closes the connection without a word."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join()
        srv.close()


def test_log_text_is_the_same_for_open_and_closed_ports() -> None:
    errors = []
    with _hang_up_port() as open_url:
        for url in (open_url, dead_url()):
            seen: list[Attempt] = []
            deliver(url, "k", "ping", b"{}", attempts=1, policy=LOOPBACK, on_attempt=seen.append)
            errors.append(seen[0].error)
    assert errors == [NO_ANSWER, NO_ANSWER]
