from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from clippy.accounts.passwords import (
    WeakPassword,
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_hash_verifies_only_the_same_password() -> None:
    h = hash_password("correct horse battery")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "correct horse battery")
    assert not verify_password(h, "correct horse batterY")
    assert hash_password("correct horse battery") != h  # salted


def test_short_password_is_refused_with_the_minimum() -> None:
    with pytest.raises(WeakPassword, match="at least 8"):
        hash_password("1234567")
    check_password_policy("12345678")


def test_absurdly_long_password_is_refused() -> None:
    with pytest.raises(WeakPassword, match="longer than 1024"):
        check_password_policy("x" * 1025)


def test_malformed_hash_is_a_mismatch_not_a_crash() -> None:
    assert not verify_password("not-a-hash", "whatever password")


def test_hash_with_old_parameters_needs_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash("correct horse battery")
    assert needs_rehash(old)
    assert not needs_rehash(hash_password("correct horse battery"))


def test_dummy_hash_matches_no_ordinary_password() -> None:
    assert not verify_password(dummy_hash(), "correct horse battery")
    assert dummy_hash() is dummy_hash()
