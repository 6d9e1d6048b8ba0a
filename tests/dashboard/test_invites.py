"""Signed team invitation links (pure)."""

from __future__ import annotations

import pytest

from clippy.accounts.invites import INVITE_DAYS, InvalidInvite, make_invite, read_invite

SECRET = "invite-secret-0123456789abcdef0123456789"


def test_round_trip_normalises_the_address() -> None:
    token = make_invite(SECRET, 7, " Crew@Example.COM ", now=1000.0)
    assert read_invite(SECRET, token, now=1000.0) == (7, "crew@example.com")


def test_expired_forged_and_damaged_links_are_refused() -> None:
    token = make_invite(SECRET, 7, "crew@example.com", now=1000.0)
    with pytest.raises(InvalidInvite, match="expired"):
        read_invite(SECRET, token, now=1000.0 + INVITE_DAYS * 86400 + 1)
    with pytest.raises(InvalidInvite, match="not valid"):
        read_invite("another-secret-0123456789abcdef01234567", token, now=1000.0)
    body, sig = token.split(".")
    # Another team id under the old signature.
    forged = make_invite(SECRET, 8, "crew@example.com", now=1000.0).split(".")[0] + "." + sig
    with pytest.raises(InvalidInvite, match="not valid"):
        read_invite(SECRET, forged, now=1000.0)
    with pytest.raises(InvalidInvite, match="not valid"):
        read_invite(SECRET, body, now=1000.0)
