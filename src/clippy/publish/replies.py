"""Turning platform HTTP answers into ``PlatformError``s that keep the platform's message.

Google APIs answer ``{"error": {"code", "message", "errors": [{"reason"}]}}``, Google's
OAuth server ``{"error": "invalid_grant", "error_description"}``, TikTok
``{"error": {"code", "message", "log_id"}}``; all three are read here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from clippy.publish.apps import PLATFORM_LABELS
from clippy.publish.errors import AuthExpired, PlatformError

__all__ = ["check", "error_of", "json_of", "network"]

T = TypeVar("T")

# Google answers 403 for these, but they clear by themselves: wait and try again. Quota
# (``quotaExceeded``) is also a 403 yet resets only daily: retrying would waste attempts.
_RETRYABLE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "backendError"}


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or ``{}`` when it has none."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _message_and_reason(body: dict[str, Any]) -> tuple[str, str]:
    err = body.get("error")
    if isinstance(err, dict):
        reasons = [e.get("reason", "") for e in err.get("errors", []) if isinstance(e, dict)]
        reason = str(reasons[0] if reasons else err.get("code", ""))
        return str(err.get("message") or reason), reason
    if isinstance(err, str):
        return str(body.get("error_description") or err), err
    return "", ""


def error_of(platform: str, response: httpx.Response) -> PlatformError:
    """The error ``response`` (a 4xx/5xx) stands for, with the platform's own words."""
    message, reason = _message_and_reason(json_of(response))
    label = PLATFORM_LABELS.get(platform, platform)
    text = f"{label}: {message or response.reason_phrase or 'error'}"
    if reason and reason not in text:
        text += f" ({reason})"
    status = response.status_code
    if status == 401:
        return AuthExpired(text)
    retryable = status >= 500 or status in (408, 429) or reason in _RETRYABLE_REASONS
    return PlatformError(text, retryable=retryable, status=status)


def check(platform: str, response: httpx.Response) -> httpx.Response:
    """``response`` when it succeeded (2xx or 308), else raise its ``PlatformError``.

    TikTok reports some failures in a 200 body (``error.code`` other than ``ok``)."""
    if response.status_code >= 400:
        raise error_of(platform, response)
    body = json_of(response) if platform == "tiktok" else {}
    err = body.get("error")
    if isinstance(err, dict) and err.get("code") not in (None, "ok"):
        raise error_of(platform, response)
    return response


def network(platform: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)``; a connection failure or timeout becomes a retryable
    ``PlatformError``."""
    try:
        return call(*args, **kwargs)
    except httpx.TransportError as exc:
        label = PLATFORM_LABELS.get(platform, platform)
        detail = str(exc) or type(exc).__name__
        raise PlatformError(f"{label}: network error: {detail}", retryable=True) from exc
