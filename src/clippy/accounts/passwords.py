"""Password policy and argon2id hashing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from clippy.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8
# argon2 hashes any length, but an unbounded input lets one request burn CPU for nothing.
MAX_PASSWORD_LENGTH = 1024

_HASHER = PasswordHasher()
# Each argon2 hash or verification holds memory_cost (64 MiB) while it runs: without a bound,
# 20 concurrent log-ins took a server from 154 MB to 1.1 GB. Waiting for a slot costs a
# log-in some milliseconds; running out of memory costs everyone.
DEFAULT_HASH_SLOTS = 1
_slots = threading.BoundedSemaphore(DEFAULT_HASH_SLOTS)
_T = TypeVar("_T")


def set_hash_concurrency(slots: int) -> None:
    """How many password hashes may run at once in this process (``Settings``)."""
    global _slots
    _slots = threading.BoundedSemaphore(max(1, slots))


def _bounded(work: Callable[[], _T]) -> _T:
    slots = _slots
    with slots:
        return work()


class WeakPassword(InvalidInput):
    """The password does not meet the policy; the message says what is missing."""


def check_password_policy(password: str) -> None:
    """Raise ``WeakPassword`` unless ``password`` has 8 to 1024 characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """An argon2id hash (salt and parameters embedded) of a password that meets the policy."""
    check_password_policy(password)
    return _bounded(lambda: _HASHER.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash is a mismatch."""
    try:
        return _bounded(lambda: _HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (rehash at next login)."""
    return _HASHER.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so both paths cost the same."""
    return _bounded(lambda: _HASHER.hash("no account has this password; it only spends time"))
