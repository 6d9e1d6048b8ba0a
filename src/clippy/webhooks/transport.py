"""Signed webhook deliveries with retries (business plan's ``export.completed``, ...).

The signature scheme follows the common ``t=<unix time>,v1=<hex HMAC-SHA256>`` header over
``"<t>.<body>"``: the receiver recomputes it with the shared secret and rejects old
timestamps, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from clippy.webhooks.egress import EgressPolicy, EgressRefused, pinned_request, resolve

log = logging.getLogger(__name__)

# One text for every failure without an HTTP answer: the log must not tell an open port
# from a closed or filtered one (that would make webhooks a port scanner).
NO_ANSWER = "no HTTP answer: the connection failed or timed out"

SIGNATURE_HEADER = "X-Clippy-Signature"
EVENT_HEADER = "X-Clippy-Event"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, body: bytes, header: str, *, now: float | None = None, tolerance: int = 300
) -> bool:
    """Whether ``header`` is a valid signature of ``body`` made within ``tolerance`` s."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        ts = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, ts).encode(), header.encode())


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST of a delivery (what the delivery log records)."""

    number: int  # 1-based
    delivered: bool
    final: bool  # delivered, or the last try: no more attempts follow
    status_code: int | None  # None when no HTTP answer came (refused, timeout, ...)
    error: str | None
    duration_ms: int


def new_event_id() -> str:
    """A fresh event id (the body's ``id``; the same on every retry of one event)."""
    return uuid.uuid4().hex


def event_body(
    event: str, data: dict[str, Any], now: float | None = None, event_id: str | None = None
) -> bytes:
    """The JSON body of one event delivery."""
    payload = {
        "id": event_id or new_event_id(),
        "type": event,
        "created": int(now or time.time()),
        "data": data,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def deliver(
    url: str,
    secret: str,
    event: str,
    body: bytes,
    *,
    attempts: int = 5,
    backoff: float = 2.0,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[Attempt], None] | None = None,
    policy: EgressPolicy | None = None,
) -> bool:
    """POST ``body`` to ``url`` until a 2xx answer, waiting ``backoff * 2**n`` between tries.

    Each try resolves the host under the egress ``policy`` (default: public addresses
    only) and dials the address it checked; a refused address ends the delivery at once.
    Each try is signed afresh (its own timestamp) and reported to ``on_attempt`` (the
    delivery log). Returns whether it was delivered; the last failure is logged.
    """
    policy = policy or EgressPolicy()
    last = ""
    with httpx.Client(trust_env=False) as client:
        for n in range(attempts):
            if n:
                sleep(backoff * 2 ** (n - 1))
            headers = {
                "Content-Type": "application/json",
                EVENT_HEADER: event,
                SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            }
            code: int | None = None
            refused = False
            started = time.perf_counter()
            try:
                target = resolve(url, policy)
                r = pinned_request(
                    client, target, "POST", content=body, headers=headers, timeout=timeout
                )
            except EgressRefused as exc:
                last, refused = str(exc), True
            except httpx.HTTPError:
                last = NO_ANSWER
            else:
                code = r.status_code
                last = "" if 200 <= code < 300 else f"HTTP {code}"
            ok = code is not None and not last
            final = ok or refused or n == attempts - 1
            if on_attempt is not None:
                ms = round((time.perf_counter() - started) * 1000)
                on_attempt(Attempt(n + 1, ok, final, code, last or None, ms))
            if ok:
                return True
            if final:
                break
    log.warning("webhook %s to %s failed after %d attempts: %s", event, url, attempts, last)
    return False
