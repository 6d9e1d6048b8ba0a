"""Settings → webhooks in a real browser against a real server: add two webhooks, send each a
test event, and watch the delivery log fill in live (a dead URL fails with its error shown; a
receiver answering 500 then 200 is delivered on the second attempt); no console errors;
screenshots at desktop and phone size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clippy.webhooks.transport import NO_ANSWER
from tests.dashboard.conftest import (
    DESKTOP,
    PHONE,
    ConsoleWatch,
    artifacts_dir,
    shot,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess, pages_only_server
from tests.fixtures.webhook_receiver import LOOPBACK_ALLOWED, dead_url, webhook_receiver


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    """A real server on SQLite with two quick delivery attempts instead of five slow ones."""
    env = {
        "CLIPPY_WEBHOOK_ATTEMPTS": "2",
        "CLIPPY_WEBHOOK_BACKOFF_SECONDS": "0.3",
        "CLIPPY_EGRESS_ALLOW_HOSTS": LOOPBACK_ALLOWED,
    }
    yield from pages_only_server(tmp_path, sqlite_url, env)


def _add_webhook(page: Any, url: str) -> str:
    """Add a webhook through the form (every event ticked); returns its id."""
    page.fill('#webhooks input[name="url"]', url)
    page.click("#webhooks >> text=Add webhook")
    assert len(page.inner_text("[data-new-hook-secret]")) == 64
    return str(page.locator("[data-webhook]").last.get_attribute("data-webhook"))


def test_webhook_deliveries_in_the_browser(server: ServerProcess, browser: Any) -> None:
    srv = server
    email = "hooks@example.com"
    srv.register(email)
    srv.set_plan(email, "business")
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())
    submit_credentials(page, email)

    page.goto("/app/settings#webhooks")
    assert page.locator("#webhooks >> text=No webhooks yet.").is_visible()
    boxes = page.locator('#webhooks input[name="events"]')
    assert [boxes.nth(i).get_attribute("value") for i in range(boxes.count())] == [
        "export.completed",
        "clip.created",
    ]
    with webhook_receiver([500]) as rec:
        dead_id = _add_webhook(page, dead_url())
        assert page.locator(f"#deliveries-{dead_id} [data-no-deliveries]").is_visible()
        flaky_id = _add_webhook(page, rec.url)

        for hook_id in (dead_id, flaky_id):
            page.click(f"#webhook-{hook_id} [data-send-test]")
            page.wait_for_url(f"**/app/settings?saved=hook_test#webhook-{hook_id}")
            assert "Test event sent." in page.inner_text(".flash-ok")
        # Each list polls until its delivery is finished (htmx swaps the fragment in).
        failed = page.locator(f'#deliveries-{dead_id} [data-delivery-status="failed"]')
        failed.wait_for(timeout=20_000)
        delivered = page.locator(f'#deliveries-{flaky_id} [data-delivery-status="delivered"]')
        delivered.wait_for(timeout=20_000)
    error = failed.locator("[data-delivery-error]")
    assert error.is_visible() and NO_ANSWER in error.inner_text()
    assert "2 attempts" in failed.inner_text()
    assert "HTTP 200" in delivered.inner_text() and "2 attempts" in delivered.inner_text()
    assert delivered.locator("text=ping").is_visible()
    assert len(rec.calls) == 2
    shot(page, "settings-webhooks-desktop")
    page.goto("/app/settings#webhooks")
    page.screenshot(path=str(artifacts_dir() / "settings-webhooks-desktop-screen.png"))

    phone = watch.attach(context.new_page())
    phone.set_viewport_size(PHONE)
    phone.goto("/app/settings#webhooks")
    phone_error = phone.locator(f"#deliveries-{dead_id} [data-delivery-error]")
    assert phone_error.is_visible() and NO_ANSWER in phone_error.inner_text()
    # Nothing sticks out sideways on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "settings-webhooks-phone")
    # The screen a user sees at #webhooks as well: on a full-length page it is hard to read.
    phone.goto("/app/settings#webhooks")
    phone.screenshot(path=str(artifacts_dir() / "settings-webhooks-phone-screen.png"))
    assert watch.errors == []
    context.close()
