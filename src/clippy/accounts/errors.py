"""The base class of every authentication failure, shared by tokens, API keys and users."""

from __future__ import annotations

from clippy.errors import Unauthenticated


class AuthError(Unauthenticated):
    """A credential was refused; the message is safe to show to the client and says why."""
