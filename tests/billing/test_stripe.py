"""Stripe adapter: Checkout Sessions against a local server speaking Stripe's protocol, and
events applied to plans (both databases)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.passwords import hash_password
from clippy.billing.base import BillingError
from clippy.billing.manual import ManualBilling
from clippy.billing.stripe import StripeBilling, apply_event
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


def test_manual_provider_names_the_admin_command() -> None:
    user = User(id=1, email="me@example.com", password_hash="x", plan="free")
    with pytest.raises(
        BillingError, match=re.escape("clippy user set-plan me@example.com business")
    ):
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
