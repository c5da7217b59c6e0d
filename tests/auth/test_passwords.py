"""Passwords: argon2id hashes, constant-cost checks, and the password policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.auth import passwords
from chalicelib.errors import PasswordPolicyError


def test_hashes_are_argon2id_salted_and_verify() -> None:
    first = passwords.hash_password("correct horse battery staple")
    second = passwords.hash_password("correct horse battery staple")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "correct horse" not in first
    assert passwords.verify_password(first, "correct horse battery staple")
    assert not passwords.verify_password(first, "correct horse battery stable")


def test_verify_never_raises_on_a_broken_hash() -> None:
    assert not passwords.verify_password("not-a-hash", "whatever")


def _parameters(password_hash: str) -> tuple[int, int, int]:
    from argon2 import extract_parameters

    found = extract_parameters(password_hash)
    return found.time_cost, found.memory_cost, found.parallelism


def test_production_hashes_with_rfc_9106_low_memory_and_so_does_the_dummy(
    production_hashing: None,
) -> None:
    """Unknown users cost what known users cost: the dummy hash has today's parameters."""
    assert _parameters(passwords.hash_password("some password")) == (3, 65536, 4)
    assert _parameters(passwords.dummy_hash()) == (3, 65536, 4)
    assert not passwords.needs_rehash(passwords.dummy_hash())


def test_the_dummy_hash_follows_the_parameters(environment: Callable[..., None]) -> None:
    environment(ARGON2_TIME_COST="2", ARGON2_MEMORY_KIB="16")
    assert _parameters(passwords.dummy_hash()) == (2, 16, 1)
    assert not passwords.verify_password(passwords.dummy_hash(), "")


def test_other_parameters_need_a_rehash(production_hashing: None) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("some password")
    assert passwords.needs_rehash(weak)
    assert passwords.verify_password(weak, "some password")  # still verifies meanwhile
    assert not passwords.needs_rehash(passwords.hash_password("some password"))
    assert not passwords.needs_rehash(passwords.unusable_hash())


def test_tests_hash_with_the_smallest_parameters_argon2_takes() -> None:
    assert _parameters(passwords.hash_password("some password")) == (1, 8, 1)


def test_common_password_list_is_shipped() -> None:
    common = passwords.common_passwords()
    assert len(common) >= 9_000
    assert {"password", "123456", "qwerty"} <= common


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8"),
        ("x" * 257, "at most 256"),
        ("password", "too common"),
        ("Password1", "too common"),
        ("iloveyou", "too common"),
        ("SusanTheGreat", "username"),
        ("susan@example.com", "username or email"),
        ("susan.smith", "username or email"),
    ],
)
def test_policy_refuses_with_a_clear_message(password: str, message: str) -> None:
    username = "SusanTheGreat" if password == "SusanTheGreat" else "susan"
    email = "susan.smith@example.com" if password == "susan.smith" else "susan@example.com"
    with pytest.raises(PasswordPolicyError, match=message):
        passwords.check_policy(password, username, email)


@pytest.mark.parametrize("password", ["x" * 8, "a long passphrase with spaces", "é" * 256])
def test_policy_accepts_reasonable_passwords(password: str) -> None:
    passwords.check_policy(password, "susan", "susan@example.com")
