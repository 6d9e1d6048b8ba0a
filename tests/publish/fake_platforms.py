"""A local HTTP server speaking the documented parts of Google's OAuth 2 token endpoint,
the YouTube Data API v3 (``channels.list``, ``videos.insert`` resumable upload) and TikTok's
OAuth v2 + Content Posting API, with faults a test can switch on.

YouTube: ``POST /upload/youtube/v3/videos?uploadType=resumable`` answers 200 with a
``Location`` session URI; ``PUT`` of ``bytes a-b/T`` answers 308 with ``Range: bytes=0-N``
until complete (200 + the video resource); ``PUT`` of ``bytes */T`` reports what is held.
TikTok: ``video/init`` returns ``publish_id`` + ``upload_url``; chunk PUTs answer 206, the
last 201; ``status/fetch`` reports ``uploaded_bytes`` while uploading, then
``PROCESSING_DOWNLOAD`` for ``processing_polls`` polls, then ``PUBLISH_COMPLETE``.

Faults: ``drop_mid_chunk`` (keep half of the next chunk and hang up without answering, as a
dropped connection does), ``fail_chunks`` (answer 503 to that many chunk PUTs),
``expire_tokens()`` (every issued access token now answers 401), ``quota`` (YouTube's 403
``quotaExceeded`` / TikTok's ``spam_risk_too_many_posts``).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fixtures.http import QuietHandler, serving

CLIENT_ID = "yt-client.apps.googleusercontent.com"
CLIENT_SECRET = "yt-secret"
TIKTOK_KEY = "tt-client-key"
TIKTOK_SECRET = "tt-secret"
GOOD_CODE = "code-ok"
QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)
TIKTOK_CAP_MESSAGE = "The daily post cap from the API is reached for the current user."
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


@dataclass
class Upload:
    """One upload session on the server: its metadata and the bytes received so far."""

    meta: dict[str, Any]
    total: int
    data: bytearray = field(default_factory=bytearray)
    polls: int = 0
    video_id: str = ""


@dataclass
class FakePlatforms:
    """Server state; tests read what it received and set faults."""

    base_url: str = ""
    processing_polls: int = 0  # status polls answered PROCESSING_DOWNLOAD before done
    drop_mid_chunk: int = 0  # this many chunk PUTs keep half and hang up
    fail_chunks: int = 0  # this many chunk PUTs answer 503
    quota: bool = False
    tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    uploads: dict[str, Upload] = field(default_factory=dict)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, range
    grants: list[str] = field(default_factory=list)  # grant_type of each token request
    consents: list[dict[str, str]] = field(default_factory=list)  # consent screen queries
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> int:
        """A fresh number for tokens and ids."""
        return next(self._ids)

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (a refresh still works)."""
        with self.lock:
            self.tokens.clear()

    def count(self, method: str, path_prefix: str) -> int:
        """Requests received with this method whose path starts with ``path_prefix``."""
        return sum(1 for m, p, _ in self.log if m == method and p.startswith(path_prefix))

    def ranges(self, path_prefix: str) -> list[str]:
        """The ``Content-Range`` of each PUT to paths starting with ``path_prefix``."""
        return [r for m, p, r in self.log if m == "PUT" and p.startswith(path_prefix)]


def _handler(state: FakePlatforms) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def _authorized(self, tiktok: bool = False) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token in state.tokens:
                return True
            if tiktok:
                self._tiktok(
                    401,
                    error=(
                        "access_token_invalid",
                        "The access token is invalid or not found in the request.",
                    ),
                )
            else:
                self.reply_json(
                    401,
                    {
                        "error": {
                            "code": 401,
                            "message": "Request had invalid authentication credentials.",
                            "errors": [{"reason": "authError", "domain": "global"}],
                            "status": "UNAUTHENTICATED",
                        }
                    },
                )
            return False

        def _tiktok(
            self,
            status: int,
            data: dict[str, Any] | None = None,
            error: tuple[str, str] = ("ok", ""),
        ) -> None:
            body = {
                "data": data or {},
                "error": {"code": error[0], "message": error[1], "log_id": "202612010000"},
            }
            self.reply_json(status, body)

        def _empty(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _record(self) -> None:
            with state.lock:
                state.log.append(
                    (self.command, urlsplit(self.path).path, self.headers.get("Content-Range", ""))
                )

        def _consent(self, tiktok: bool) -> None:
            """The consent screen, as if the user pressed Allow: back to the redirect URI
            with a code and the state unchanged (or an error for an unknown client)."""
            q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            client = q.get("client_key" if tiktok else "client_id")
            if client != (TIKTOK_KEY if tiktok else CLIENT_ID) or q.get("response_type") != "code":
                self.reply_json(400, {"error": "invalid_request"})
                return
            state.consents.append(q)
            target = f"{q['redirect_uri']}?{urlencode({'code': GOOD_CODE, 'state': q['state']})}"
            self._empty(302, {"Location": target})

        # OAuth token endpoints (Google's and TikTok's share the form).
        def _token(self, tiktok: bool) -> None:
            form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
            client = form.get("client_key" if tiktok else "client_id")
            secret = form.get("client_secret")
            if (client, secret) != (
                (TIKTOK_KEY, TIKTOK_SECRET) if tiktok else (CLIENT_ID, CLIENT_SECRET)
            ):
                self.reply_json(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "The OAuth client was not found.",
                    },
                )
                return
            grant = form.get("grant_type", "")
            state.grants.append(grant)
            if grant == "authorization_code" and form.get("code") != GOOD_CODE:
                self.reply_json(
                    400, {"error": "invalid_grant", "error_description": "Malformed auth code."}
                )
                return
            if grant == "refresh_token" and form.get("refresh_token") not in state.refresh_tokens:
                self.reply_json(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
                return
            n = state.next_id()
            access = f"access-{n}"
            with state.lock:
                state.tokens.add(access)
            body: dict[str, Any] = {
                "access_token": access,
                "expires_in": 3599,
                "token_type": "Bearer",
            }
            if grant == "authorization_code":
                refresh = f"refresh-{n}"
                state.refresh_tokens.add(refresh)
                body["refresh_token"] = refresh
            if tiktok:
                body.update(
                    open_id="open-1",
                    scope="user.info.basic,video.publish",
                    refresh_expires_in=31536000,
                )
                body.setdefault("refresh_token", form.get("refresh_token"))
            self.reply_json(200, body)

        def do_GET(self) -> None:
            self._record()
            path = urlsplit(self.path).path
            if path in ("/o/oauth2/v2/auth", "/v2/auth/authorize/"):
                self._consent(tiktok=path.startswith("/v2"))
                return
            if path == "/youtube/v3/channels" and self._authorized():
                self.reply_json(
                    200, {"items": [{"id": "UC123", "snippet": {"title": "Clippy Test Channel"}}]}
                )
            elif path == "/v2/user/info/" and self._authorized(tiktok=True):
                user = {
                    "open_id": "open-1",
                    "display_name": "Clippy Tester",
                    "username": "clippytester",
                }
                self._tiktok(200, {"user": user})
            elif path not in ("/youtube/v3/channels", "/v2/user/info/"):
                self.reply_json(404, {"error": {"code": 404, "message": "Not Found"}})

        def do_POST(self) -> None:
            self._record()
            path = urlsplit(self.path).path
            if path == "/token":
                self._token(tiktok=False)
            elif path == "/v2/oauth/token/":
                self._token(tiktok=True)
            elif path == "/upload/youtube/v3/videos":
                self._youtube_start()
            elif path == "/v2/post/publish/video/init/":
                self._tiktok_init()
            elif path == "/v2/post/publish/status/fetch/":
                self._tiktok_status()
            else:
                self.reply_json(404, {"error": {"code": 404, "message": "Not Found"}})

        def do_PUT(self) -> None:
            self._record()
            path = urlsplit(self.path).path
            if path == "/upload/youtube/v3/videos":
                self._youtube_chunk()
            elif path.startswith("/upload/tiktok/"):
                self._tiktok_chunk(path.rsplit("/", 1)[1])
            else:
                self._body()
                self.reply_json(404, {"error": {"code": 404, "message": "Not Found"}})

        # YouTube
        def _youtube_start(self) -> None:
            body = self._body()
            if not self._authorized():
                return
            query = parse_qs(urlsplit(self.path).query)
            if query.get("uploadType") != ["resumable"]:
                self.reply_json(
                    400, {"error": {"code": 400, "message": "uploadType must be resumable"}}
                )
                return
            if state.quota:
                error = {
                    "code": 403,
                    "message": QUOTA_MESSAGE,
                    "errors": [
                        {
                            "message": QUOTA_MESSAGE,
                            "domain": "youtube.quota",
                            "reason": "quotaExceeded",
                        }
                    ],
                }
                self.reply_json(403, {"error": error})
                return
            upload_id = f"up{state.next_id()}"
            state.uploads[upload_id] = Upload(
                json.loads(body), int(self.headers["X-Upload-Content-Length"])
            )
            query = f"uploadType=resumable&upload_id={upload_id}"
            location = f"{state.base_url}/upload/youtube/v3/videos?{query}"
            self._empty(200, {"Location": location})

        def _youtube_chunk(self) -> None:
            body = self._body()
            upload = state.uploads.get(
                parse_qs(urlsplit(self.path).query).get("upload_id", [""])[0]
            )
            if upload is None:
                self.reply_json(
                    404, {"error": {"code": 404, "message": "Upload session not found"}}
                )
                return
            if not self._authorized():
                return
            content_range = self.headers.get("Content-Range", "")
            if content_range != f"bytes */{upload.total}":
                m = _RANGE.fullmatch(content_range)
                if (
                    m is None
                    or int(m[1]) != len(upload.data)
                    or len(body) != int(m[2]) - int(m[1]) + 1
                ):
                    self.reply_json(
                        400,
                        {"error": {"code": 400, "message": f"bad Content-Range {content_range}"}},
                    )
                    return
                if state.fail_chunks:
                    state.fail_chunks -= 1
                    self.reply_json(
                        503,
                        {
                            "error": {
                                "code": 503,
                                "message": "Backend Error",
                                "errors": [{"reason": "backendError"}],
                            }
                        },
                    )
                    return
                if state.drop_mid_chunk:
                    state.drop_mid_chunk -= 1
                    upload.data += body[: len(body) // 2]
                    self.close_connection = True  # hang up without an answer
                    return
                upload.data += body
            if len(upload.data) >= upload.total:
                upload.video_id = upload.video_id or f"vid{state.next_id()}"
                self.reply_json(
                    200, {"kind": "youtube#video", "id": upload.video_id, **upload.meta}
                )
            elif upload.data:
                self._empty(308, {"Range": f"bytes=0-{len(upload.data) - 1}"})
            else:
                self._empty(308)

        # TikTok
        def _tiktok_init(self) -> None:
            body = json.loads(self._body() or b"{}")
            if not self._authorized(tiktok=True):
                return
            if state.quota:
                self._tiktok(403, error=("spam_risk_too_many_posts", TIKTOK_CAP_MESSAGE))
                return
            source = body.get("source_info", {})
            size, chunk, count = (
                source.get("video_size"),
                source.get("chunk_size"),
                source.get("total_chunk_count"),
            )
            if (
                source.get("source") != "FILE_UPLOAD"
                or not size
                or not chunk
                or count != max(1, size // chunk)
            ):
                self._tiktok(400, error=("invalid_params", f"bad source_info {source}"))
                return
            publish_id = f"v_pub_file~v2-1.{state.next_id()}"
            state.uploads[publish_id] = Upload(body, int(size))
            self._tiktok(
                200,
                {
                    "publish_id": publish_id,
                    "upload_url": f"{state.base_url}/upload/tiktok/{publish_id}",
                },
            )

        def _tiktok_chunk(self, publish_id: str) -> None:
            body = self._body()
            upload = state.uploads.get(publish_id)
            if upload is None:
                self._tiktok(404, error=("invalid_params", "upload_url not found"))
                return
            m = _RANGE.fullmatch(self.headers.get("Content-Range", ""))
            if m is None or len(body) != int(m[2]) - int(m[1]) + 1 or int(m[1]) > len(upload.data):
                self._tiktok(400, error=("invalid_params", "bad Content-Range"))
                return
            if state.fail_chunks:
                state.fail_chunks -= 1
                self._tiktok(
                    503, error=("internal_error", "Something went wrong. Please try again later.")
                )
                return
            if state.drop_mid_chunk:
                state.drop_mid_chunk -= 1
                del upload.data[int(m[1]) :]
                upload.data += body[: len(body) // 2]
                self.close_connection = True
                return
            del upload.data[int(m[1]) :]  # a chunk sent again replaces the partial one
            upload.data += body
            self._empty(201 if len(upload.data) >= upload.total else 206)

        def _tiktok_status(self) -> None:
            body = json.loads(self._body() or b"{}")
            if not self._authorized(tiktok=True):
                return
            upload = state.uploads.get(body.get("publish_id", ""))
            if upload is None:
                self._tiktok(400, error=("invalid_publish_id", "publish_id does not exist"))
                return
            if len(upload.data) < upload.total:
                self._tiktok(
                    200, {"status": "PROCESSING_UPLOAD", "uploaded_bytes": len(upload.data)}
                )
                return
            upload.polls += 1
            if upload.polls <= state.processing_polls:
                self._tiktok(200, {"status": "PROCESSING_DOWNLOAD", "uploaded_bytes": upload.total})
                return
            upload.video_id = upload.video_id or str(7300000000000000000 + state.next_id())
            self._tiktok(
                200,
                {
                    "status": "PUBLISH_COMPLETE",
                    "uploaded_bytes": upload.total,
                    "publicaly_available_post_id": [int(upload.video_id)],
                },
            )

    return Handler


@contextmanager
def running_fake_platforms() -> Iterator[FakePlatforms]:
    """Serve the fake platforms on a free loopback port for the block."""
    state = FakePlatforms()
    with serving(_handler(state)) as url:
        state.base_url = url
        yield state
