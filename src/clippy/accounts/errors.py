"""The base class of every authentication failure, shared by tokens, API keys and users."""

from __future__ import annotations


class AuthError(Exception):
    """A credential was refused; the message is safe to show to the client and says why."""
