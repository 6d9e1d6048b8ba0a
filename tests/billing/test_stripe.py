"""Stripe adapter: Checkout Sessions against a local server speaking Stripe's protocol, and
events applied to plans (both databases)."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.passwords import hash_password
from clippy.billing.base import BillingError
from clippy.billing.manual import ManualBilling
from clippy.billing.stripe import StripeBilling, apply_event, plan_of_price
from clippy.db.models import User
from tests.billing.fake_stripe import API_KEY, PRICES, running_fake_stripe


def _user(s: Session, email: str = "payer@example.com", plan: str = "free") -> User:
    user = User(email=email, password_hash=hash_password("correct horse battery"), plan=plan)
    s.add(user)
    s.flush()
    return user


def test_checkout_session_is_created_with_the_user_and_plan() -> None:
    user = User(id=7, email="payer@example.com", password_hash="x", plan="free")
    with running_fake_stripe() as fake:
        stripe = StripeBilling(API_KEY, PRICES, api_base=fake.base_url)
        url = stripe.start_checkout(
            user, "pro", success_url="http://app/ok", cancel_url="http://app/no"
        )
        assert url == f"{fake.base_url}/pay/cs_test_1"
        (form,) = fake.sessions
        assert form["mode"] == "subscription"
        assert form["line_items[0][price]"] == "price_pro_test"
        assert form["client_reference_id"] == "7" and form["customer_email"] == user.email
        assert form["metadata[plan]"] == "pro"
        assert form["subscription_data[metadata][user_id]"] == "7"
        assert (form["success_url"], form["cancel_url"]) == ("http://app/ok", "http://app/no")


def test_checkout_errors_carry_stripes_message() -> None:
    user = User(id=7, email="payer@example.com", password_hash="x", plan="free")
    with running_fake_stripe() as fake:
        wrong_key = StripeBilling("sk_test_wrong", PRICES, api_base=fake.base_url)
        with pytest.raises(BillingError, match="Invalid API Key"):
            wrong_key.start_checkout(user, "pro", success_url="x", cancel_url="y")
        stale_price = StripeBilling(API_KEY, {"pro": "price_gone"}, api_base=fake.base_url)
        with pytest.raises(BillingError, match="No such price: 'price_gone'"):
            stale_price.start_checkout(user, "pro", success_url="x", cancel_url="y")
        with pytest.raises(BillingError, match="no Stripe price"):
            stale_price.start_checkout(user, "business", success_url="x", cancel_url="y")
        assert fake.sessions == []
    # Nothing listening: a clear error, not a hang or a traceback.
    gone = StripeBilling(API_KEY, PRICES, api_base=fake.base_url, timeout=2)
    with pytest.raises(BillingError, match="could not reach Stripe"):
        gone.start_checkout(user, "pro", success_url="x", cancel_url="y")


def test_manual_provider_points_to_the_request_button() -> None:
    user = User(id=1, email="me@example.com", password_hash="x", plan="free")
    with pytest.raises(BillingError, match="press Request Business on the billing page"):
        ManualBilling().start_checkout(user, "business", success_url="x", cancel_url="y")


def _completed(user_id: int, plan: str, sub: str = "sub_1") -> dict[str, object]:
    return {
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_1",
                "customer": "cus_1",
                "subscription": sub,
                "payment_status": "paid",
                "metadata": {"user_id": str(user_id), "plan": plan},
            }
        },
    }


def _deleted(user_id: int, sub: str = "sub_1") -> dict[str, object]:
    return {
        "type": "customer.subscription.deleted",
        "data": {"object": {"id": sub, "metadata": {"user_id": str(user_id)}}},
    }


def test_events_change_the_plan(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        user = _user(s)
        assert apply_event(s, _completed(user.id, "business")).endswith("now on business")
        assert user.plan == "business"
        assert user.settings["billing"] == {
            "provider": "stripe",
            "customer": "cus_1",
            "subscription": "sub_1",
        }
        # Redelivered: same result.
        apply_event(s, _completed(user.id, "business"))
        assert user.plan == "business"
        s.commit()
        # The end of an older subscription does not undo the current one.
        assert apply_event(s, _deleted(user.id, "sub_old")).startswith("ignored")
        assert user.plan == "business"
        assert apply_event(s, _deleted(user.id)).endswith("back on free")
        s.commit()
        s.expire_all()
        assert user.plan == "free" and "billing" not in user.settings


def test_events_that_change_nothing(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        user = _user(s)
        unpaid = _completed(user.id, "pro")
        unpaid["data"]["object"]["payment_status"] = "unpaid"  # type: ignore[index]
        for event in (
            unpaid,
            _completed(user.id, "platinum"),
            _completed(999_999, "pro"),
            {"type": "invoice.paid", "data": {"object": {}}},
            {"type": "checkout.session.completed", "data": {"object": "nonsense"}},
        ):
            assert apply_event(s, event).startswith("ignored"), event
        assert user.plan == "free"


def test_portal_session_for_the_stored_customer() -> None:
    paying = User(id=7, email="payer@example.com", password_hash="x", plan="pro")
    paying.settings = {"billing": {"provider": "stripe", "customer": "cus_7", "subscription": "s"}}
    with running_fake_stripe() as fake:
        stripe = StripeBilling(API_KEY, PRICES, api_base=fake.base_url)
        url = stripe.manage_subscription(paying, return_url="http://app/billing")
        assert url == f"{fake.base_url}/portal/bps_test_1"
        assert fake.portal_sessions == [{"customer": "cus_7", "return_url": "http://app/billing"}]
        # A plan the administrator set has no Stripe customer: nothing to manage there.
        admin_set = User(id=8, email="vip@example.com", password_hash="x", plan="business")
        with pytest.raises(BillingError, match="not paid through Stripe"):
            stripe.manage_subscription(admin_set, return_url="x")
        gone = User(id=9, email="gone@example.com", password_hash="x", plan="pro")
        gone.settings = {"billing": {"customer": "deleted_9"}}
        with pytest.raises(BillingError, match="No such customer: 'deleted_9'"):
            stripe.manage_subscription(gone, return_url="x")
        assert len(fake.portal_sessions) == 1
    with pytest.raises(BillingError, match=re.escape("or Free, to cancel")):
        ManualBilling().manage_subscription(paying, return_url="x")


def test_plan_of_price() -> None:
    assert plan_of_price(PRICES, "price_business_test") == "business"
    assert plan_of_price(PRICES, "price_unknown") is None
    # An unset price never matches a subscription without a price.
    assert plan_of_price({"pro": "", "business": "price_b"}, "") is None


def _updated(
    user_id: int, price: str, status: str = "active", sub: str = "sub_1", event_id: str = ""
) -> dict[str, object]:
    return {
        "id": event_id,
        "type": "customer.subscription.updated",
        "data": {
            "object": {
                "id": sub,
                "customer": "cus_1",
                "status": status,
                "items": {"data": [{"price": {"id": price}}]},
                # Still the plan bought at checkout: only the price says what is paid now.
                "metadata": {"user_id": str(user_id), "plan": "pro"},
            }
        },
    }


def test_subscription_updates_follow_price_and_status(
    session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    with session_factory() as s:
        user = _user(s)
        apply_event(s, {**_completed(user.id, "pro"), "id": "evt_1"}, PRICES)
        upgrade = _updated(user.id, PRICES["business"], event_id="evt_2")
        assert apply_event(s, upgrade, PRICES).endswith("now on business")
        assert user.plan == "business"
        downgrade = _updated(user.id, PRICES["pro"], "trialing", event_id="evt_3")
        assert apply_event(s, downgrade, PRICES).endswith("now on pro")
        # Card declined, Stripe retrying: the plan stays until the subscription ends.
        late = _updated(user.id, PRICES["business"], "past_due", event_id="evt_4")
        assert apply_event(s, late, PRICES).startswith("ignored: subscription is past_due")
        with caplog.at_level(logging.WARNING, logger="clippy.billing.stripe"):
            odd = _updated(user.id, "price_legacy_2019", event_id="evt_5")
            assert "price_legacy_2019 is not one of" in apply_event(s, odd, PRICES)
        assert "unknown price 'price_legacy_2019'" in caplog.text
        other = _updated(user.id, PRICES["business"], sub="sub_other", event_id="evt_6")
        assert apply_event(s, other, PRICES).startswith("ignored: user")
        assert user.plan == "pro"
        s.commit()

        # Replaying an applied event (Stripe retries, or an attacker with an old body)
        # changes nothing, even after later events moved the plan on.
        assert apply_event(s, upgrade, PRICES) == "ignored: event evt_2 was already applied"
        assert user.plan == "pro"
        unpaid = _updated(user.id, PRICES["pro"], "unpaid", event_id="evt_7")
        assert apply_event(s, unpaid, PRICES).endswith("back on free (subscription unpaid)")
        assert apply_event(s, upgrade, PRICES).startswith("ignored")
        assert apply_event(s, downgrade, PRICES).startswith("ignored")
        s.commit()
        s.expire_all()
        assert user.plan == "free" and "billing" not in user.settings
        assert user.settings["stripe_events"] == ["evt_1", "evt_2", "evt_3", "evt_7"]


def test_subscription_states_that_end_the_plan(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        for n, status in enumerate(("canceled", "incomplete_expired")):
            user = _user(s, f"u{n}@example.com")
            apply_event(s, _updated(user.id, PRICES["pro"]), PRICES)
            assert user.plan == "pro"
            assert user.settings["billing"]["subscription"] == "sub_1"
            apply_event(s, _updated(user.id, PRICES["pro"], status), PRICES)
            assert user.plan == "free", status
