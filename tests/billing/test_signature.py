"""Stripe-Signature verification (pure)."""

from __future__ import annotations

import pytest

from clippy.billing.signature import InvalidSignature, sign_payload, verify_signature

SECRET = "whsec_test_secret"
BODY = b'{"id": "evt_1", "type": "checkout.session.completed"}'


def test_valid_signature_returns_its_timestamp() -> None:
    header = sign_payload(BODY, SECRET, 1_700_000_000)
    assert verify_signature(BODY, header, SECRET, now=1_700_000_010) == 1_700_000_000


def test_any_v1_entry_may_match_while_secrets_roll() -> None:
    good = sign_payload(BODY, SECRET, 1_700_000_000).split(",")[1]
    header = f"t=1700000000,v1={'0' * 64},{good},v0=legacy"
    assert verify_signature(BODY, header, SECRET, now=1_700_000_000) == 1_700_000_000


@pytest.mark.parametrize(
    ("header", "secret", "body", "now", "message"),
    [
        (sign_payload(BODY, "whsec_other", 100), SECRET, BODY, 100, "no v1 signature matches"),
        (sign_payload(BODY, SECRET, 100), SECRET, BODY + b" ", 100, "no v1 signature matches"),
        (sign_payload(BODY, SECRET, 100), SECRET, BODY, 100 + 301, "301 s old"),
        (sign_payload(BODY, SECRET, 1000), SECRET, BODY, 1000 - 400, "400 s old"),
        ("v1=abc", SECRET, BODY, 100, "no timestamp"),
        ("t=100", SECRET, BODY, 100, "no v1"),
        ("", SECRET, BODY, 100, "no timestamp"),
        (sign_payload(BODY, SECRET, 100), "", BODY, 100, "no webhook secret"),
    ],
)
def test_bad_or_stale_signatures_are_refused(
    header: str, secret: str, body: bytes, now: float, message: str
) -> None:
    with pytest.raises(InvalidSignature, match=message):
        verify_signature(body, header, secret, now=now)


def test_tolerance_edge_is_accepted() -> None:
    header = sign_payload(BODY, SECRET, 100)
    assert verify_signature(BODY, header, SECRET, now=400) == 100
