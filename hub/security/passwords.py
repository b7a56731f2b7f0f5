"""Password hashing with argon2id, and the minimum rules a password must meet."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import ValidationFailed

MIN_LENGTH = 8
# Longer inputs only cost hashing time; no real passphrase needs more.
MAX_LENGTH = 1024


@lru_cache(maxsize=2)
def hasher(*, testing: bool = False) -> PasswordHasher:
    """RFC 9106's low-memory profile in production; the cheapest profile keeps test suites fast."""
    return PasswordHasher.from_parameters(profiles.CHEAPEST) if testing else PasswordHasher()


def check(password: str, field: str = "password") -> None:
    """Raise ValidationFailed (with the field name) for a password too short or too long."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationFailed.from_messages(
            {
                field: [
                    f"密码至少需要 {MIN_LENGTH} 个字符，请换一个更长的密码。"
                    f"The password must be at least {MIN_LENGTH} characters long; choose a "
                    "longer one."
                ]
            }
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed.from_messages(
            {
                field: [
                    f"密码不能超过 {MAX_LENGTH} 个字符。The password must be at most {MAX_LENGTH} "
                    "characters long."
                ]
            }
        )


def hash_password(password: str, *, testing: bool = False) -> str:
    return hasher(testing=testing).hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True if `password` matches; parameters come from `stored`, so any profile verifies."""
    try:
        return hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, *, testing: bool = False) -> bool:
    """True when `stored` was made with other parameters than today's (rehash it after a login)."""
    try:
        return hasher(testing=testing).check_needs_rehash(stored)
    except InvalidHashError:
        return True


@lru_cache(maxsize=2)
def dummy_hash(*, testing: bool = False) -> str:
    """A hash to verify against when the email is unknown, so both failures take about as long."""
    return hash_password("not a real password, only for timing", testing=testing)


# The short names the design uses.
hash = hash_password  # noqa: A001
verify = verify_password
