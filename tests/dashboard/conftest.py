"""Dashboard test helpers: a browser-like TestClient user, rows made directly, Playwright."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import Clip, ClipRange, Stream, TranscriptSegment, User
from clippy.db.types import utcnow
from clippy.transcribe.store import spoken_text
from clippy.web.pages.security import SESSION_COOKIE
from tests.e2e.browser import CHROMIUM as E2E_CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.fixtures.server import ServerProcess, pages_only_server

PASSWORD = "correct horse battery"
CHROMIUM = str(E2E_CHROMIUM)
_CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a rendered page's forms."""
    match = _CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@dataclass
class Browserish:
    """A TestClient used like a browser: cookies kept, forms posted with their CSRF token."""

    client: TestClient
    user_id: int = 0
    email: str = ""
    token: str = field(default="", repr=False)

    def get(self, path: str, **kw: Any) -> Any:
        r = self.client.get(path, **kw)
        if "csrf_token" in r.text:
            self.token = csrf_of(r.text)
        return r

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        if not self.token:
            self.get("/login")
        body = {"csrf_token": self.token, **(data or {})}
        r = self.client.post(path, data=body, follow_redirects=False, **kw)
        if SESSION_COOKIE in r.headers.get("set-cookie", ""):
            # A new session (log-in, sign-up, password change): forms carry new tokens, as a
            # browser would see on the page it is sent to next.
            self.token = ""
        return r

    @property
    def session_factory(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = self.client.app.state.ctx.session_factory  # type: ignore[attr-defined]
        return factory


@pytest.fixture
def signed_up(make_client: Callable[..., TestClient]) -> Callable[[str], Browserish]:
    """Factory: a fresh browser (own cookie jar) signed up as ``email`` through the form."""
    app_client = make_client()

    def make(email: str) -> Browserish:
        client = TestClient(app_client.app)
        b = Browserish(client)
        b.get("/signup")
        r = b.post("/signup", {"email": email, "password": PASSWORD})
        assert r.status_code == 303, r.text
        b.email = email
        with b.session_factory() as s:
            user = s.query(User).filter_by(email=email).one()
            b.user_id = user.id
        return b

    return make


def add_stream(s: Session, user_id: int, title: str = "Friday stream", **kw: Any) -> Stream:
    """A stream row (no media)."""
    stream = Stream(
        user_id=user_id,
        client_stream_id=f"c{utcnow().timestamp()}-{title}",
        title=title,
        received_until=kw.pop("received_until", 3600.0),
        **kw,
    )
    s.add(stream)
    s.flush()
    return stream


def add_clip(
    s: Session,
    stream: Stream,
    start: float,
    end: float,
    *,
    title: str = "A clip",
    score: float = 1.0,
    status: str = "ready",
    created_at: datetime | None = None,
    reason: str = "loudness spike",
    source: str = "auto",
) -> Clip:
    """A clip row covering ``start``-``end`` of ``stream`` (no rendered file).

    Its spoken text is taken from the words already added, as rendering a clip does.
    """
    clip = Clip(
        user_id=stream.user_id,
        stream_id=stream.id,
        title=title,
        score=score,
        status=status,
        reason=reason,
        source=source,
        duration=end - start,
        created_at=created_at or utcnow(),
        transcript_text=spoken_text(s, stream.id, [(start, end)]),
    )
    clip.ranges = [ClipRange(position=0, start=start, end=end)]
    s.add(clip)
    s.flush()
    return clip


def add_words(s: Session, stream: Stream, start: float, text: str, step: float = 0.4) -> None:
    """A server transcript chunk of ``text`` starting at ``start``, one word every ``step`` s."""
    words = [
        {"text": w, "start": start + i * step, "end": start + i * step + step * 0.8}
        for i, w in enumerate(text.split())
    ]
    s.add(
        TranscriptSegment(
            stream_id=stream.id,
            chunk_id=f"chunk-{start}",
            start_time=words[0]["start"],
            end_time=words[-1]["end"],
            text=text,
            words=words,
            source="server",
        )
    )
    s.flush()


def days_ago(n: float) -> datetime:
    """``n`` days before now (UTC)."""
    return utcnow() - timedelta(days=n)


# ---- Browser (Playwright + Debian chromium) ----

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class ConsoleWatch:
    """Collects console errors and uncaught exceptions of every page of a context."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        # (url, status) of error responses the test provokes on purpose: the browser logs
        # their status line as a console error, which is expected there and nowhere else.
        self.expected: set[tuple[str, int]] = set()

    def attach(self, page: Any) -> Any:
        def on_console(msg: Any) -> None:
            if msg.type != "error":
                return
            url = msg.location.get("url")
            if any(u == url and f"status of {code}" in msg.text for u, code in self.expected):
                return
            self.errors.append(f"{page.url}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        return page


def submit_credentials(
    page: Any, email: str, *, path: str = "/login", lands_on: str = "**/app"
) -> None:
    """Open ``path`` (log-in or sign-up form, or a page that redirects to log in), send
    ``email`` with the test password, and wait until the browser is at ``lands_on``."""
    page.goto(path)
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(lands_on)


def shot(page: Any, name: str) -> None:
    """A full-page screenshot named ``name`` in the artifacts folder."""
    # From the top: a full-page capture of a scrolled page draws the sticky bar mid-page.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir() / f"{name}.png"), full_page=True)


def artifacts_dir() -> Path:
    """Where screenshots go: $CLIPPY_ARTIFACTS, else tests/dashboard/artifacts (gitignored)."""
    path = Path(os.environ.get("CLIPPY_ARTIFACTS", Path(__file__).parent / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# Module scope, not session: Playwright's sync API runs an event loop in this thread while
# it is open, and every later test that calls asyncio.run() would fail (measured in CI).
@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    """A real server on SQLite with the media pipeline off: pages only, clips are seeded.

    Modules that need the pipeline (or other settings) define their own ``server``.
    """
    yield from pages_only_server(tmp_path, sqlite_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium per test module (skipped when chromium is not installed)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/setup.sh --dev (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
