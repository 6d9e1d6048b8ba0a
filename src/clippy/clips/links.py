"""Expiring signed URLs for media (``<video src>`` and ``<img src>`` cannot send a header)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass


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


@dataclass(frozen=True)
class MediaLinks:
    """Signed links to media the web layer serves. The paths come from its router
    (``web.links``), so no code below ``web/`` knows a URL."""

    secret: str
    clip_path: Callable[[int, str], str]  # (clip id, "file" | "thumbnail") -> path
    export_path: Callable[[int, str], str]  # (job id, "main" | "srt" | "vtt") -> path

    def clip(self, clip_id: int, kind: str) -> str:
        """A signed, expiring link to a clip's file or thumbnail."""
        return sign_path(self.secret, self.clip_path(clip_id, kind))

    def export(self, job_id: int, kind: str = "main", ttl_seconds: int = 3600) -> str:
        """A signed link to an export's file, valid for ``ttl_seconds``."""
        return sign_path(self.secret, self.export_path(job_id, kind), ttl_seconds)
