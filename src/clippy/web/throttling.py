"""Who may try to log in, sign up, refresh or change a password right now (API and pages).

The counting is ``accounts.throttle``; this module names the keys (account, client address)
and the limits from ``Settings``, and turns a refusal into 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from clippy.accounts import Limit, Throttle, Throttled, Ticket
from clippy.web.deps import get_ctx

__all__ = ["Action", "mark_throttled", "retry_headers", "take_attempt", "throttled_response"]

Action = Literal["log-in", "sign-up", "refresh", "password change", "pairing"]


def _address(request: Request) -> str:
    # request.client is the peer, or the forwarded client when uvicorn trusts the proxy.
    return request.client.host if request.client else "unknown"


def take_attempt(request: Request, action: Action, account: str | int | None = None) -> Ticket:
    """Count one ``action`` attempt for the client address and (when known) the account;
    raises ``Throttled`` when either is over its limit. Refund the ticket on success."""
    ctx = get_ctx(request)
    s = ctx.settings
    throttle: Throttle = ctx.throttle
    window = s.auth_throttle_window_seconds
    keys: list[tuple[str, Limit]] = []
    if action == "sign-up":
        keys.append((f"signup:{_address(request)}", Limit(s.auth_address_signups, window)))
    elif action == "pairing":
        # Pairing requests create rows without an account: bounded like sign-ups.
        keys.append((f"pairing:{_address(request)}", Limit(s.auth_address_signups, window)))
    else:
        keys.append((f"auth:{_address(request)}", Limit(s.auth_address_attempts, window)))
    if account is not None:
        name = str(account).strip().lower()
        keys.append((f"{action}:{name}", Limit(s.auth_account_attempts, window)))
    return throttle.take(action, keys)


def retry_headers(exc: Throttled) -> dict[str, str]:
    """The ``Retry-After`` header of a throttled answer."""
    return {"Retry-After": str(exc.retry_after)}


def mark_throttled(response: Response, exc: Exception) -> Response:
    """A page's refusal as is, or as 429 with ``Retry-After`` when ``exc`` is ``Throttled``."""
    if isinstance(exc, Throttled):
        response.status_code = 429
        response.headers.update(retry_headers(exc))
    return response


def throttled_response(_request: Request, exc: Exception) -> JSONResponse:
    """The API's answer to ``Throttled``: 429, the reason, and ``Retry-After``."""
    assert isinstance(exc, Throttled)
    return JSONResponse({"detail": str(exc)}, 429, headers=retry_headers(exc))
