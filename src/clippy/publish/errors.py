"""What goes wrong when talking to a platform, sorted by what the caller should do next."""

from __future__ import annotations

from clippy.errors import Conflict, InvalidInput, NotFound, Unavailable

__all__ = [
    "AuthExpired",
    "ConnectionMissing",
    "PlatformError",
    "PlatformNotConfigured",
    "PublicationNotFound",
    "PublishInvalid",
]


class PlatformError(Unavailable):
    """The platform answered with an error (its own message is kept) or could not be
    reached. ``retryable`` says whether the same request may work later (5xx, network);
    a quota or a refused video is final and shown to the user as the platform put it."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class AuthExpired(PlatformError):
    """The platform refused the access token (HTTP 401): refresh it, then try once more."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False, status=401)


class PlatformNotConfigured(Conflict):
    """The operator has not set up this platform's OAuth client (docs/publish.md)."""


class ConnectionMissing(Conflict):
    """The user has not connected an account on this platform (or disconnected it)."""


class PublishInvalid(InvalidInput):
    """The publish request is wrong: an unknown platform, no finished export, a bad time."""


class PublicationNotFound(NotFound):
    """No such publication, or not the caller's."""
