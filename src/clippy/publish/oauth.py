"""OAuth 2 authorization-code flow against Google (YouTube) and TikTok: the consent URL,
the code exchange, token refresh, and who the connected account is.

Google: ``access_type=offline`` + ``prompt=consent`` so a refresh token comes back every
time. TikTok names its client id ``client_key`` and keeps the ``/v2/oauth/token/`` form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx

from clippy.publish.apps import PlatformApp
from clippy.publish.errors import PlatformError
from clippy.publish.replies import check, json_of, network

__all__ = ["Account", "TokenGrant", "account_of", "authorization_url", "exchange_code", "refresh"]

YOUTUBE_SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
)
TIKTOK_SCOPES = ("user.info.basic", "user.info.profile", "video.publish")


@dataclass(frozen=True)
class TokenGrant:
    """Tokens from the token endpoint; ``refresh_token`` is empty when none was sent."""

    access_token: str
    refresh_token: str
    expires_in: float

    def expires_at(self, now: datetime) -> datetime:
        """When the access token stops working."""
        return now + timedelta(seconds=self.expires_in)


@dataclass(frozen=True)
class Account:
    """The connected channel or account: id, display name and (TikTok) @handle."""

    account_id: str
    name: str
    handle: str = ""


def authorization_url(app: PlatformApp, redirect_uri: str, state: str) -> str:
    """Where to send the user to grant Clippy access."""
    if app.platform == "youtube":
        params = {
            "client_id": app.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(YOUTUBE_SCOPES),
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
        }
    else:
        params = {
            "client_key": app.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": ",".join(TIKTOK_SCOPES),
            "state": state,
        }
    return f"{app.auth_url}?{urlencode(params)}"


def _client_fields(app: PlatformApp) -> dict[str, str]:
    key = "client_id" if app.platform == "youtube" else "client_key"
    return {key: app.client_id, "client_secret": app.client_secret}


def _grant(app: PlatformApp, http: httpx.Client, form: dict[str, str]) -> TokenGrant:
    response = network(app.platform, http.post, app.token_url, data=form)
    body = json_of(check(app.platform, response))
    token = str(body.get("access_token") or "")
    if not token:
        raise PlatformError(
            f"{app.label}: the token endpoint sent no access token", retryable=False
        )
    return TokenGrant(
        token, str(body.get("refresh_token") or ""), float(body.get("expires_in", 3600))
    )


def exchange_code(app: PlatformApp, http: httpx.Client, code: str, redirect_uri: str) -> TokenGrant:
    """Trade the code from the redirect for tokens."""
    form = {
        **_client_fields(app),
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    return _grant(app, http, form)


def refresh(app: PlatformApp, http: httpx.Client, refresh_token: str) -> TokenGrant:
    """A new access token from the refresh token (the refresh token is kept when the
    platform does not rotate it)."""
    form = {**_client_fields(app), "grant_type": "refresh_token", "refresh_token": refresh_token}
    grant = _grant(app, http, form)
    return TokenGrant(grant.access_token, grant.refresh_token or refresh_token, grant.expires_in)


def account_of(app: PlatformApp, http: httpx.Client, access_token: str) -> Account:
    """Who the tokens belong to: the YouTube channel, or the TikTok user."""
    headers = {"Authorization": f"Bearer {access_token}"}
    if app.platform == "youtube":
        url = f"{app.api_base}/youtube/v3/channels"
        params = {"part": "snippet", "mine": "true"}
        r = network(app.platform, http.get, url, params=params, headers=headers)
        items = json_of(check(app.platform, r)).get("items") or []
        if not items:
            raise PlatformError(
                "YouTube: this Google account has no YouTube channel; create one first",
                retryable=False,
            )
        return Account(str(items[0]["id"]), str(items[0].get("snippet", {}).get("title", "")))
    url = f"{app.api_base}/v2/user/info/"
    params = {"fields": "open_id,display_name,username"}
    r = network(app.platform, http.get, url, params=params, headers=headers)
    user = (json_of(check(app.platform, r)).get("data") or {}).get("user") or {}
    return Account(
        str(user.get("open_id", "")),
        str(user.get("display_name", "")),
        str(user.get("username", "")),
    )
