"""Bearer credentials the server hands out (API keys, connected browsers' keys): one format and
one hash, so both kinds are made and checked the same way.

A credential reads ``<scheme><8 hex>_<43 url-safe chars>``; the 8 hex are stored in clear to
name it in lists, the whole key only as its SHA-256 (the key has 256 random bits, so a fast
hash is enough, and lookups by hash stay one indexed query).
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["hash_credential", "new_credential"]


def hash_credential(key: str) -> str:
    """The stored form of a credential (hex SHA-256)."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_credential(scheme: str) -> tuple[str, str]:
    """A fresh credential of ``scheme`` (e.g. ``"clp_"``): its public prefix and the full key."""
    prefix = secrets.token_hex(4)
    return prefix, f"{scheme}{prefix}_{secrets.token_urlsafe(32)}"
