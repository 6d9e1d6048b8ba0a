"""Every dashboard page works in chromium under the Content-Security-Policy: no CSP
violation (reported by the browser's ``securitypolicyviolation`` events) and no console
error on any page, htmx requests included (search-as-you-type swaps the gallery)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from clippy.db.models import User
from tests.dashboard.conftest import (
    DESKTOP,
    ConsoleWatch,
    add_clip,
    add_stream,
    add_words,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess

_RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + where);
});
"""


def _seed(server: ServerProcess, email: str) -> tuple[int, int]:
    engine = create_engine(server.database_url)
    with Session(engine) as s:
        user = s.query(User).filter_by(email=email).one()
        stream = add_stream(s, user.id, "CSP night")
        add_words(s, stream, 4.0, "what a wonderful lighthouse")
        clip = add_clip(s, stream, 0.0, 20.0, title="Lighthouse moment")
        s.commit()
        ids = stream.id, clip.id
    engine.dispose()
    return ids


def test_pages_run_under_the_csp_without_violations(server: ServerProcess, browser: Any) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=server.http)
    context.add_init_script(_RECORD_VIOLATIONS)
    watch = ConsoleWatch()
    page = watch.attach(context.new_page())
    first = page.goto("/")
    assert first is not None
    assert "script-src 'self'" in first.headers["content-security-policy"]
    assert first.headers["x-frame-options"] == "DENY"
    submit_credentials(page, "csp@example.com", path="/signup", lands_on="**/app**")
    sid, cid = _seed(server, "csp@example.com")
    violations: dict[str, list[str]] = {}
    for path in (
        "/",
        "/app",
        "/app/clips",
        f"/app/clips/{cid}",
        "/app/streams",
        f"/app/streams/{sid}",
        "/app/exports",
        "/app/analytics",
        "/app/settings",
        "/app/settings/branding",
        "/app/billing",
        "/app/team",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    # htmx at work: the gallery's search swaps its results in place.
    page.goto("/app/clips")
    with page.expect_response(lambda r: "/app/clips" in r.url and "q=" in r.url):
        page.fill('input[name="q"]', "lighthouse")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=Lighthouse moment").first.is_visible()
    if page.evaluate("window.__csp"):
        violations["/app/clips (htmx search)"] = page.evaluate("window.__csp")
    assert violations == {}
    assert watch.errors == []
    context.close()
