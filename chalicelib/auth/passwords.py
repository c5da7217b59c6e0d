"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import functools
import hashlib
from base64 import urlsafe_b64encode
from importlib import resources
from typing import TYPE_CHECKING

from chalicelib.errors import PasswordPolicyError
from chalicelib.i18n import N_

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
def _hasher() -> PasswordHasher:
    """argon2-cffi's defaults, RFC 9106's low-memory argon2id profile (imported on first use)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh salt."""
    return _hasher().hash(password)


# A password hash no password matches: the breach response (ops/force_reset.py) stores
# this prefix plus a random value, which voids every token and session bound to the old one.
UNUSABLE_PREFIX = "!reset-required$"


def unusable_hash(nonce: str) -> str:
    """A stored hash that no password matches (its fingerprint differs per `nonce`)."""
    return UNUSABLE_PREFIX + nonce


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong password or odd hash.

    An unusable hash still costs one argon2 verification (of the dummy hash), so a login
    for an account awaiting its reset takes as long as any other failed login.
    """
    if password_hash.startswith(UNUSABLE_PREFIX):
        verify_password(DUMMY_HASH, password)
        return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


# Verified against when the user is unknown, so both paths cost one argon2 verification.
# A hash of a random, discarded password, made with today's parameters (a test checks that).
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$lrEL8jj7z6ytXMof4ukqLg"
    "$nHx4BTCuzuSUzfMLnmH7BFJYLNAVg9MKENgVCPSP++w"
)


def fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: tokens carry it, so a new password voids them."""
    digest = hashlib.sha256(b"microblog-pwd:" + password_hash.encode()).digest()
    # 48 bits: the token is signed, so this only has to change when the password does.
    return urlsafe_b64encode(digest[:6]).decode()


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
            N_("Password must be at least %(count)d characters.", count=MIN_LENGTH), "password"
        )
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(
            N_("Password must be at most %(count)d characters.", count=MAX_LENGTH), "password"
        )
    lowered = password.casefold()
    if lowered in {username.casefold(), email.casefold(), email.split("@")[0].casefold()} - {""}:
        raise PasswordPolicyError(
            N_("Password must not be your username or email address."), "password"
        )
    if lowered in common_passwords():
        raise PasswordPolicyError(
            N_("This password is too common; please choose another."), "password"
        )
