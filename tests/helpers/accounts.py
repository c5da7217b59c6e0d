"""Accounts in a given state, made through the domain's own paths, or many at once.

No pytest here: the force-reset benchmark (benchmarks/mass_reset.py) seeds its users with
seed_users too.
"""

from __future__ import annotations

import time

from chalicelib.auth import passwords, tokens, users, verification
from chalicelib.models import EMAIL_PREFIX, USER_PREFIX, Guard, UserRecord


def verify_address(user: users.User) -> users.User:
    """Confirm the user's own address as its link would (a real token, the real confirm)."""
    token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address=user.email)
    return verification.confirm(token)


def seed_users(count: int, password: str) -> list[str]:
    """`count` accounts (user<i>, user<i>@example.com) written straight to the table, with one
    argon2 hash shared by all: for tests of scale, not of registration. Returns the addresses."""
    digest, now = passwords.hash_password(password), int(time.time())
    addresses = []
    with UserRecord.batch_write() as batch, Guard.batch_write() as guards:
        for i in range(count):
            email = f"user{i}@example.com"
            batch.save(
                UserRecord(
                    f"{USER_PREFIX}u{i}",
                    user_id=f"u{i}",
                    username=f"user{i}",
                    email=email,
                    password_hash=digest,
                    created_at=now,
                    password_changed_at=now,
                )
            )
            guards.save(Guard(EMAIL_PREFIX + email, user_id=f"u{i}"))
            addresses.append(email)
    return addresses
