"""The exception tree: one root, ``ClippyError``, and a family for each way a request fails.

Capabilities raise their own exceptions (``InvalidRange``, ``WebhookNotFound``, ...), each a
subclass of one family here and defined next to the code that raises it. ``web.errors``
maps families to HTTP status codes by walking an exception's MRO, so a new exception needs
no web code; its message is shown to the caller and says what went wrong and what to do.
Families that take an existing builtin base (``LookupError``, ``ValueError``) keep it, so
code that catches the builtin still catches them.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ClippyError",
    "Conflict",
    "InvalidInput",
    "MediaError",
    "NotFound",
    "QuotaExceeded",
    "Refused",
    "Unauthenticated",
    "Unavailable",
]


class ClippyError(Exception):
    """Root of every error Clippy raises on purpose; the message is safe to show."""

    @property
    def detail(self) -> Any:
        """What an API error body carries (``{"detail": ...}``): the message, unless a
        subclass has more to say (e.g. how far to trim)."""
        return str(self)


class NotFound(ClippyError, LookupError):
    """The thing asked for does not exist, or is not the caller's to see (the two are not
    told apart, so ids of other users' things leak nothing)."""


class Unauthenticated(ClippyError):
    """A credential is missing, wrong or expired."""


class Refused(ClippyError):
    """The caller may not do this: the plan does not include it, or it is someone else's."""


class QuotaExceeded(Refused):
    """A limit of the plan or a rate limit is used up for now; the message says when it resets."""


class Conflict(ClippyError):
    """The request is valid but the current state does not allow it (already exists, no
    longer running, its media expired)."""


class InvalidInput(ClippyError, ValueError):
    """The request itself is wrong (out of range, malformed); fixing it makes it work."""


class MediaError(ClippyError):
    """Media could not be read, decoded, cut or rendered."""


class Unavailable(ClippyError):
    """Something Clippy depends on (object store, speech model, payment provider) cannot
    serve the request now."""
