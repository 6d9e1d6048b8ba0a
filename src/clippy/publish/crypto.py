"""OAuth tokens encrypted at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key derived
from the server secret, so a copy of the database alone does not hand out channel access.

Rotating the server secret makes stored tokens unreadable; those connections then ask the
user to connect again (``TokensUnreadable``) rather than failing obscurely."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clippy.errors import Conflict

__all__ = ["TokenBox", "TokensUnreadable"]

_INFO = b"clippy publish oauth tokens v1"


class TokensUnreadable(Conflict):
    """Stored tokens cannot be decrypted (the server secret changed): connect again."""


class TokenBox:
    """Encrypts and decrypts a connection's token dictionary."""

    def __init__(self, secret_key: str) -> None:
        raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(raw))

    def seal(self, tokens: dict[str, str]) -> str:
        """The encrypted, printable form of ``tokens``."""
        return self._fernet.encrypt(json.dumps(tokens).encode()).decode("ascii")

    def open(self, sealed: str) -> dict[str, str]:
        """The tokens inside ``sealed``; ``TokensUnreadable`` when the key does not fit."""
        try:
            data: dict[str, str] = json.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError) as exc:
            raise TokensUnreadable(
                "the stored platform tokens cannot be read (the server secret changed); "
                "connect the account again"
            ) from exc
        return data
