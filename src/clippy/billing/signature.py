"""Stripe webhook signatures (``Stripe-Signature: t=…,v1=…``): pure, no I/O.

Stripe signs ``"{t}.{payload}"`` with HMAC-SHA256 and the endpoint's secret; a timestamp
older than the tolerance is refused so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

from clippy.errors import InvalidInput

__all__ = ["DEFAULT_TOLERANCE", "InvalidSignature", "sign_payload", "verify_signature"]

DEFAULT_TOLERANCE = 300  # seconds; Stripe's own libraries use the same default


class InvalidSignature(InvalidInput):
    """The webhook was not signed with our secret, or was signed too long ago."""


def _hmac(secret: str, timestamp: int, payload: bytes) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload`` at ``timestamp``."""
    return f"t={timestamp},v1={_hmac(secret, timestamp, payload)}"


def verify_signature(
    payload: bytes, header: str, secret: str, now: float, tolerance: int = DEFAULT_TOLERANCE
) -> int:
    """Check ``header`` against ``payload``; returns its timestamp or raises ``InvalidSignature``.

    Any one ``v1`` entry may match (Stripe sends several while a secret is being rolled).
    """
    if not secret:
        raise InvalidSignature("no webhook secret is configured (CLIPPY_STRIPE_WEBHOOK_SECRET)")
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidSignature("the Stripe-Signature header has no timestamp or no v1 signature")
    expected = _hmac(secret, timestamp, payload)
    if not any(hmac.compare_digest(expected.encode(), c.encode()) for c in candidates):
        raise InvalidSignature("no v1 signature matches the payload and the webhook secret")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature(
            f"the signature is {abs(now - timestamp):.0f} s old; at most {tolerance} s is accepted"
        )
    return timestamp
