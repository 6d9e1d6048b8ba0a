"""Plan & billing page and the Stripe webhook through the routes (SQLite and PostgreSQL):
manual provider by default; Stripe checkout against a local fake Stripe server; webhook
payloads signed here with a test secret."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from clippy.accounts.users import set_plan
from clippy.billing.requests import pending_requests
from clippy.billing.signature import sign_payload
from clippy.db.models import User
from tests.billing.fake_stripe import API_KEY, PRICES, FakeStripe, event, running_fake_stripe
from tests.dashboard.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    Browserish,
    ConsoleWatch,
    shot,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess

WEBHOOK_SECRET = "whsec_test_0123456789"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with running_fake_stripe() as fake:
        yield fake


def _sign_up(client: TestClient, email: str) -> Browserish:
    b = Browserish(TestClient(client.app))
    b.get("/signup")
    assert b.post("/signup", {"email": email, "password": PASSWORD}).status_code == 303
    b.email = email
    with b.session_factory() as s:
        b.user_id = s.query(User).filter_by(email=email).one().id
    return b


def _plan(b: Browserish) -> str:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        return user.plan


@pytest.fixture
def stripe_app(make_client: Callable[..., TestClient], fake_stripe: FakeStripe) -> TestClient:
    return make_client(
        billing_provider="stripe",
        stripe_api_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=fake_stripe.base_url,
        stripe_price_pro=PRICES["pro"],
        stripe_price_business=PRICES["business"],
    )


def test_manual_provider_page(make_client: Callable[..., TestClient]) -> None:
    app = make_client()
    b = _sign_up(app, "manual@example.com")
    page = b.get("/app/billing")
    assert page.status_code == 200
    assert "set by its administrator" in page.text
    # No shell command for the user to pass on: a button asks for the plan.
    assert "clippy user" not in page.text
    assert 'data-request="pro"' in page.text and 'data-request="business"' in page.text
    assert "data-checkout" not in page.text
    assert "data-current-plan>Free<" in page.text
    r = b.post("/app/billing/checkout", {"plan": "pro"})
    assert r.status_code == 409 and "press Request Pro on the billing page" in r.text
    # The admin command's effect shows on the page.
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, "business")
        s.commit()
    assert "data-current-plan>Business<" in b.get("/app/billing").text
    # No Stripe webhook endpoint when Stripe is not the provider.
    assert app.post("/billing/stripe/webhook", content=b"{}").status_code == 404


def test_stripe_checkout_redirects_to_stripe(
    stripe_app: TestClient, fake_stripe: FakeStripe
) -> None:
    b = _sign_up(stripe_app, "buyer@example.com")
    page = b.get("/app/billing")
    assert 'data-checkout="pro"' in page.text and 'data-checkout="business"' in page.text
    r = b.post("/app/billing/checkout", {"plan": "business"})
    assert r.status_code == 303
    assert r.headers["location"] == f"{fake_stripe.base_url}/pay/cs_test_1"
    (form,) = fake_stripe.sessions
    assert form["metadata[user_id]"] == str(b.user_id)
    assert form["line_items[0][price]"] == PRICES["business"]
    assert form["success_url"].endswith("/app/billing?checkout=success")
    # Paying does not change the plan by itself: only Stripe's webhook does.
    assert _plan(b) == "free"
    assert "Nothing was charged" in b.get("/app/billing?checkout=cancelled").text
    # Refused without a CSRF token, and for plans that cannot be bought.
    assert b.client.post("/app/billing/checkout", data={"plan": "pro"}).status_code == 403
    assert b.post("/app/billing/checkout", {"plan": "free"}).status_code == 400
    assert len(fake_stripe.sessions) == 1


def _deliver(client: TestClient, body: bytes, header: str) -> int:
    r = client.post(
        "/billing/stripe/webhook",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    return r.status_code


def test_signed_webhook_changes_the_plan_and_bad_ones_do_not(stripe_app: TestClient) -> None:
    b = _sign_up(stripe_app, "hooked@example.com")
    paid = event(
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "customer": "cus_9",
            "subscription": "sub_9",
            "payment_status": "paid",
            "metadata": {"user_id": str(b.user_id), "plan": "pro"},
        },
    )
    now = int(time.time())
    # Wrong secret, tampered body, stale and future timestamps, no header: 400, no change.
    assert _deliver(stripe_app, paid, sign_payload(paid, "whsec_wrong", now)) == 400
    tampered = paid.replace(b'"pro"', b'"business"')
    assert _deliver(stripe_app, tampered, sign_payload(paid, WEBHOOK_SECRET, now)) == 400
    assert _deliver(stripe_app, paid, sign_payload(paid, WEBHOOK_SECRET, now - 600)) == 400
    assert _deliver(stripe_app, paid, sign_payload(paid, WEBHOOK_SECRET, now + 600)) == 400
    assert _deliver(stripe_app, paid, "") == 400
    assert _plan(b) == "free"

    assert _deliver(stripe_app, paid, sign_payload(paid, WEBHOOK_SECRET, now)) == 200
    assert _plan(b) == "pro"
    page = b.get("/app/billing")
    assert "data-current-plan>Pro<" in page.text and "sub_9" in page.text
    # On a paid plan no second checkout is offered or started (it would be a second subscription).
    assert "data-checkout" not in page.text and "data-paid-note" in page.text
    assert b.post("/app/billing/checkout", {"plan": "business"}).status_code == 409

    ended = event(
        "customer.subscription.deleted",
        {"id": "sub_9", "metadata": {"user_id": str(b.user_id)}},
        "evt_2",
    )
    assert _deliver(stripe_app, ended, sign_payload(ended, WEBHOOK_SECRET, int(time.time()))) == 200
    assert _plan(b) == "free"


def _deliver_json(client: TestClient, body: bytes) -> dict[str, object]:
    r = client.post(
        "/billing/stripe/webhook",
        content=body,
        headers={"Stripe-Signature": sign_payload(body, WEBHOOK_SECRET, int(time.time()))},
    )
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


def _subscription(user_id: int, price: str, status: str = "active") -> dict[str, object]:
    return {
        "id": "sub_9",
        "customer": "cus_9",
        "status": status,
        "items": {"data": [{"price": {"id": price}}]},
        "metadata": {"user_id": str(user_id), "plan": "pro"},
    }


def test_paying_user_switches_and_cancels_through_the_portal(
    stripe_app: TestClient, fake_stripe: FakeStripe
) -> None:
    b = _sign_up(stripe_app, "switcher@example.com")
    # Free: no subscription to manage.
    assert "data-manage" not in b.get("/app/billing").text
    assert b.post("/app/billing/manage").status_code == 400
    paid = event(
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "customer": "cus_9",
            "subscription": "sub_9",
            "payment_status": "paid",
            "metadata": {"user_id": str(b.user_id), "plan": "pro"},
        },
        "evt_paid",
    )
    _deliver_json(stripe_app, paid)
    page = b.get("/app/billing")
    assert "data-manage" in page.text and "data-paid-note" in page.text
    r = b.post("/app/billing/manage")
    assert r.status_code == 303
    assert r.headers["location"] == f"{fake_stripe.base_url}/portal/bps_test_1"
    (form,) = fake_stripe.portal_sessions
    assert form["customer"] == "cus_9" and form["return_url"].endswith("/app/billing")
    assert b.client.post("/app/billing/manage").status_code == 403  # no CSRF token

    # In the portal the user switches to Business: Stripe reports the subscription's new price.
    switched = event(
        "customer.subscription.updated", _subscription(b.user_id, PRICES["business"]), "evt_up"
    )
    assert _deliver_json(stripe_app, switched)["outcome"] == f"user {b.user_id} is now on business"
    assert "data-current-plan>Business<" in b.get("/app/billing").text
    # A redelivery of the same event is acknowledged and changes nothing.
    replay = _deliver_json(stripe_app, switched)
    assert replay["outcome"] == "ignored: event evt_up was already applied"
    # A price this server does not sell: acknowledged (no retries), plan unchanged.
    legacy = event(
        "customer.subscription.updated", _subscription(b.user_id, "price_legacy"), "evt_legacy"
    )
    assert str(_deliver_json(stripe_app, legacy)["outcome"]).startswith("ignored: price")
    assert _plan(b) == "business"
    # Cancelled in the portal and the period ran out.
    ended = event(
        "customer.subscription.updated",
        _subscription(b.user_id, PRICES["business"], "canceled"),
        "evt_end",
    )
    _deliver_json(stripe_app, ended)
    assert _plan(b) == "free"
    assert "data-manage" not in b.get("/app/billing").text


def test_admin_set_plans_have_no_portal(stripe_app: TestClient) -> None:
    b = _sign_up(stripe_app, "vip@example.com")
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, "business")
        s.commit()
    page = b.get("/app/billing")
    assert "data-admin-plan" in page.text and "data-manage" not in page.text
    r = b.post("/app/billing/manage")
    assert r.status_code == 409 and "not paid through Stripe" in r.text


def test_manual_provider_offers_a_request_to_cancel(make_client: Callable[..., TestClient]) -> None:
    b = _sign_up(make_client(), "paid-by-hand@example.com")
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, "pro")
        s.commit()
    page = b.get("/app/billing").text
    assert 'data-request="business"' in page and 'data-request="free"' in page
    assert "Move to Free" in page and "data-manage" not in page
    r = b.post("/app/billing/manage")
    assert r.status_code == 409
    assert "request another plan (or Free, to cancel) on the billing page" in r.text


@pytest.mark.timeout(300)
def test_manage_subscription_in_the_browser(
    tmp_path: Path, sqlite_url: str, fake_stripe: FakeStripe, browser: Any
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    srv = ServerProcess(
        data_dir=data,
        database_url=sqlite_url,
        env_extra={
            "CLIPPY_PIPELINE_ENABLED": "false",
            "CLIPPY_BILLING_PROVIDER": "stripe",
            "CLIPPY_STRIPE_API_KEY": API_KEY,
            "CLIPPY_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CLIPPY_STRIPE_API_BASE": fake_stripe.base_url,
            "CLIPPY_STRIPE_PRICE_PRO": PRICES["pro"],
            "CLIPPY_STRIPE_PRICE_BUSINESS": PRICES["business"],
        },
    )
    srv.start()
    try:
        user_id = srv.register("payer@example.com")["user"]["id"]
        paid = event(
            "checkout.session.completed",
            {
                "id": "cs_test_1",
                "customer": "cus_42",
                "subscription": "sub_42",
                "payment_status": "paid",
                "metadata": {"user_id": str(user_id), "plan": "pro"},
            },
            "evt_paid",
        )
        r = httpx.post(
            f"{srv.http}/billing/stripe/webhook",
            content=paid,
            headers={"Stripe-Signature": sign_payload(paid, WEBHOOK_SECRET, int(time.time()))},
        )
        assert r.status_code == 200, r.text
        watch = ConsoleWatch()
        context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
        page = watch.attach(context.new_page())
        submit_credentials(page, "payer@example.com")
        page.goto("/app/billing")
        assert page.inner_text("[data-current-plan]").strip().lower() == "pro"
        shot(page, "billing-paid-desktop")
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, "billing-paid-phone")
        page.set_viewport_size(DESKTOP)
        assert watch.errors == []
        # The button leaves for Stripe's portal (the fake serves no page there: not ours).
        with page.expect_request(f"{fake_stripe.base_url}/portal/bps_test_1"):
            page.click("[data-manage]")
        assert fake_stripe.portal_sessions[0]["customer"] == "cus_42"
        context.close()
    finally:
        srv.stop()


def test_prices_show_on_the_billing_and_landing_pages(
    make_client: Callable[..., TestClient],
) -> None:
    default = make_client()
    page = _sign_up(default, "prices@example.com").get("/app/billing").text
    assert re.search(r'data-price="free"><strong>Free<', page)
    assert re.search(r'data-price="pro"><strong>\$19 / month<', page)
    assert re.search(r'data-price="business"><strong>\$49 / month<', page)
    own = make_client(price_pro="12 € / mois", price_business="")
    landing = own.get("/").text
    assert re.search(r'data-price="pro"><strong>12 € / mois<', landing)
    # A plan whose price is left empty shows none rather than a made-up one.
    assert re.search(r'data-price="business"><strong>—<', landing)


def test_manual_provider_request_is_shown_until_the_admin_switches(
    make_client: Callable[..., TestClient],
) -> None:
    b = _sign_up(make_client(billing_contact="billing@example.com"), "asker@example.com")
    page = b.get("/app/billing").text
    assert 'href="mailto:billing@example.com"' in page
    assert b.post("/app/billing/request", {"plan": "gold"}).status_code == 400
    already = b.post("/app/billing/request", {"plan": "free"})
    assert already.status_code == 400 and "already on the Free plan" in already.text
    r = b.post("/app/billing/request", {"plan": "pro"})
    assert r.status_code == 303 and r.headers["location"] == "/app/billing?checkout=requested"
    page = b.get(r.headers["location"]).text
    assert 'data-plan-request="pro"' in page and "Request sent" in page
    with b.session_factory() as s:
        assert [(x.email, x.plan) for x in pending_requests(s)] == [("asker@example.com", "pro")]
    assert b.post("/app/billing/request/withdraw").status_code == 303
    assert "data-plan-request" not in b.get("/app/billing").text
    # Asked again, then granted by the administrator: the request is settled.
    b.post("/app/billing/request", {"plan": "business"})
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, "business")
        s.commit()
        assert pending_requests(s) == []
    page = b.get("/app/billing").text
    assert "data-plan-request" not in page and "data-current-plan>Business<" in page
