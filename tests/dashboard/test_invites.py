"""Signed team invitation links (pure)."""

from __future__ import annotations

import pytest

from clippy.accounts.invites import InvalidInvite, InviteClaim, make_invite, read_invite

SECRET = "invite-secret-0123456789abcdef0123456789"
EXPIRES = 1000 + 7 * 86400


def test_round_trip_normalises_the_address() -> None:
    token = make_invite(SECRET, 3, 7, " Crew@Example.COM ", EXPIRES)
    assert read_invite(SECRET, token, now=1000.0) == InviteClaim(3, 7, "crew@example.com")


def test_expired_forged_and_damaged_links_are_refused() -> None:
    token = make_invite(SECRET, 3, 7, "crew@example.com", EXPIRES)
    with pytest.raises(InvalidInvite, match="expired"):
        read_invite(SECRET, token, now=EXPIRES + 1)
    with pytest.raises(InvalidInvite, match="not valid"):
        read_invite("another-secret-0123456789abcdef01234567", token, now=1000.0)
    body, sig = token.split(".")
    # Another invitation id under the old signature.
    forged = make_invite(SECRET, 4, 7, "crew@example.com", EXPIRES).split(".")[0] + "." + sig
    with pytest.raises(InvalidInvite, match="not valid"):
        read_invite(SECRET, forged, now=1000.0)
    with pytest.raises(InvalidInvite, match="not valid"):
        read_invite(SECRET, body, now=1000.0)
