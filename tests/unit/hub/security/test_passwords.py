"""Password hashing and rules."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.errors import ValidationFailed
from hub.security import passwords


def test_hash_verifies_the_right_password_only():
    stored = passwords.hash_password("correct horse", testing=True)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse")
    assert not passwords.verify_password(stored, "correct horsE")


def test_the_same_password_hashes_differently_each_time():
    first, second = (passwords.hash_password("correct horse", testing=True) for _ in range(2))
    assert first != second


def test_garbage_in_the_database_never_verifies():
    assert not passwords.verify_password("not-a-hash", "anything")


def test_cheap_test_hashes_need_rehash_under_production_parameters():
    cheap = passwords.hash_password("correct horse", testing=True)
    assert not passwords.needs_rehash(cheap, testing=True)
    assert passwords.needs_rehash(cheap)
    assert passwords.verify_password(cheap, "correct horse")  # parameters are read from the hash


def test_short_password_is_refused_in_both_languages():
    with pytest.raises(ValidationFailed) as caught:
        passwords.check("short")
    error = caught.value.errors[0]
    assert error["field"] == "password"
    assert (
        "8" in error["messages"][0]
        and "至少" in error["messages"][0]
        and "at least" in error["messages"][0]
    )


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=8, max_size=40))
def test_any_long_enough_password_round_trips(password):
    passwords.check(password)
    assert passwords.verify_password(passwords.hash_password(password, testing=True), password)
