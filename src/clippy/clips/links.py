"""Expiring signed URLs for media (``<video src>`` and ``<img src>`` cannot send a header)."""

from __future__ import annotations

import hashlib
import hmac
import time


def sign_path(secret: str, path: str, ttl_seconds: int = 3600, now: float | None = None) -> str:
    """``path`` with ``exp`` and ``sig`` query parameters valid for ``ttl_seconds``."""
    exp = int((now or time.time()) + ttl_seconds)
    return f"{path}?exp={exp}&sig={_mac(secret, path, exp)}"


def verify_path(secret: str, path: str, exp: int, sig: str, now: float | None = None) -> bool:
    """Whether ``sig`` was made by ``sign_path`` for ``path`` and has not expired."""
    if exp < (now or time.time()):
        return False
    # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, so a 500).
    return hmac.compare_digest(_mac(secret, path, exp).encode(), sig.encode())


def _mac(secret: str, path: str, exp: int) -> str:
    msg = f"{path}\n{exp}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:32]
