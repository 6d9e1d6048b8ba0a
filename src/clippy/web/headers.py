"""Security headers on every response, set in one place.

The dashboard runs under a Content-Security-Policy without inline scripts: scripts are
only ``/static`` files, htmx's own inline indicator ``<style>`` is turned off (its rules
are in clippy.css), and only ``style="..."`` attributes (progress bars, logo preview
boxes) are allowed inline (``style-src-attr``). Media may come from the object store's
origin when clips are served by presigned S3 links. Pages cannot be framed, responses are
not sniffed, the Referer never leaves the site (signed media URLs stay private), and HSTS
is sent when the request came over HTTPS.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clippy.config import Settings

__all__ = ["SecurityHeadersMiddleware", "content_security_policy", "media_origins"]

HSTS = "max-age=31536000; includeSubDomains"
# FastAPI's /docs and /redoc pages are an inline script plus a CDN's bundle.
_DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src blob:; frame-ancestors 'none'"
)


def media_origins(settings: Settings) -> list[str]:
    """Origins clip videos and thumbnails may be redirected to (the S3 store's)."""
    if not settings.s3_bucket:
        return []
    if settings.s3_endpoint_url:
        parts = urlsplit(settings.s3_endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.hostname}"]
    return ["https://*.amazonaws.com"]


def content_security_policy(media: Sequence[str] = ()) -> str:
    """The policy of every response but the API docs pages."""
    extra = "".join(f" {origin}" for origin in media)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            f"img-src 'self' data: blob:{extra}",
            f"media-src 'self' blob:{extra}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (a header the route set wins)."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = _DOCS_CSP if scope["path"] in _DOCS_PATHS else self.csp
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
