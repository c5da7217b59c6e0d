"""Password hashing (argon2id, with the parameters of the settings) and the password policy."""

from __future__ import annotations

import functools
import secrets
from importlib import resources
from typing import TYPE_CHECKING

from chalicelib.errors import ErrorCode, PasswordPolicyError
from chalicelib.i18n import N_
from chalicelib.settings import Argon2Parameters, get_settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 8
MAX_LENGTH = 256
# The policy in one sentence, shown beside every new-password field before anyone submits.
RULES = N_(
    "At least %(count)d characters; not one of the most common passwords, "
    "and not your username or email address.",
    count=MIN_LENGTH,
)


@functools.cache
def _hasher(parameters: Argon2Parameters) -> PasswordHasher:
    """An argon2id hasher with these parameters (argon2 is imported on first use)."""
    from argon2 import PasswordHasher

    return PasswordHasher(
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_kib,
        parallelism=parameters.parallelism,
    )


def _current() -> PasswordHasher:
    """The hasher with today's parameters (ARGON2_* settings)."""
    return _hasher(get_settings().argon2)


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh salt and today's parameters."""
    return _current().hash(password)


# A password hash no password matches: the breach response (accounts.void_password) stores
# this prefix plus a random value; a reset replaces it.
UNUSABLE_PREFIX = "!reset-required$"


def unusable_hash() -> str:
    """A stored hash that no password matches (each one different)."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(16)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong password or odd hash.

    An unusable hash still costs one argon2 verification (of the dummy hash), so a login
    for an account awaiting its reset takes as long as any other failed login.
    """
    if password_hash.startswith(UNUSABLE_PREFIX):
        verify_password(dummy_hash(), password)
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _current().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (a login rehashes it)."""
    from argon2.exceptions import InvalidHashError

    try:
        return _current().check_needs_rehash(password_hash)
    except InvalidHashError:
        return False  # an unusable hash: only a reset replaces it


def dummy_hash() -> str:
    """What a login verifies when there is no account (or it is locked): a hash of a random,
    discarded password with today's parameters, so both cost one argon2 verification alike.
    Made once per container (and per parameters)."""
    return _dummy_hash(get_settings().argon2)


@functools.cache
def _dummy_hash(parameters: Argon2Parameters) -> str:
    return _hasher(parameters).hash(secrets.token_urlsafe(24))


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, lower-cased."""
    text = resources.files("chalicelib").joinpath("data/common_passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


def check_policy(password: str, username: str = "", email: str = "") -> None:
    """Raise PasswordPolicyError with a readable message when `password` is not acceptable."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(
            N_("Password must be at least %(count)d characters.", count=MIN_LENGTH),
            "password",
            ErrorCode.PASSWORD_TOO_SHORT,
        )
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(
            N_("Password must be at most %(count)d characters.", count=MAX_LENGTH),
            "password",
            ErrorCode.PASSWORD_TOO_LONG,
        )
    lowered = password.casefold()
    if lowered in {username.casefold(), email.casefold(), email.split("@")[0].casefold()} - {""}:
        raise PasswordPolicyError(
            N_("Password must not be your username or email address."),
            "password",
            ErrorCode.PASSWORD_LIKE_USERNAME,
        )
    if lowered in common_passwords():
        raise PasswordPolicyError(
            N_("This password is too common; please choose another."),
            "password",
            ErrorCode.PASSWORD_TOO_COMMON,
        )
