"""Signed webhook deliveries with retries (business plan's ``export.completed``).

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
from typing import Any

import httpx

log = logging.getLogger(__name__)

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
    return hmac.compare_digest(sign(secret, body, ts), header)


def event_body(event: str, data: dict[str, Any], now: float | None = None) -> bytes:
    """The JSON body of one event delivery."""
    payload = {
        "id": uuid.uuid4().hex,
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
) -> bool:
    """POST ``body`` to ``url`` until a 2xx answer, waiting ``backoff * 2**n`` between tries.

    Each try is signed afresh (its own timestamp). Returns whether it was delivered; the
    last failure is logged.
    """
    last = ""
    for n in range(attempts):
        if n:
            sleep(backoff * 2 ** (n - 1))
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: event,
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
        }
        try:
            r = httpx.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc}"
            continue
        if 200 <= r.status_code < 300:
            return True
        last = f"HTTP {r.status_code}"
    log.warning("webhook %s to %s failed after %d attempts: %s", event, url, attempts, last)
    return False
