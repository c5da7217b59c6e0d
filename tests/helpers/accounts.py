"""Accounts in a given state, made through the domain's own paths, or many at once.

No pytest here: the force-reset benchmark (benchmarks/mass_reset.py) seeds its users with
seed_users too.
"""

from __future__ import annotations

import time

from chalicelib import addresses
from chalicelib.auth import email_change, passwords, sessions, tokens, users, verification
from chalicelib.auth.activity import Origin
from chalicelib.models import EMAIL_PREFIX, USER_PREFIX, Guard, UserRecord
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, sent_mail, token_from


def verify_address(user: users.User) -> users.User:
    """Confirm the user's own address as its link would (a real token, the real confirm)."""
    token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address=user.email)
    return verification.confirm(token)


def signed_in_token(user: users.User, purpose: tokens.Purpose, ttl: int = 600) -> str:
    """A token of `user` for `purpose` as the app issues it: one that names a session (a
    session cookie, an access or refresh token) names a new stored session, as a sign-in
    makes one; any other is users.issue_token's."""
    if not purpose.in_session:
        return users.issue_token(user, purpose, ttl)
    kind = sessions.Kind.PAGE if purpose is tokens.Purpose.SESSION else sessions.Kind.API
    session_id = sessions.start(user, kind, ttl, Origin(), refresh_id="first")
    own = {"sid": session_id, "rid": "first"}
    return tokens.issue(
        purpose, user.id, user.stamp, ttl, own={name: own[name] for name in purpose.own_claims}
    )


def user_for_any(purpose: tokens.Purpose, token: str) -> users.User:
    """The one check of a token for `purpose`: one that names a session with its session."""
    if purpose.in_session:
        return sessions.check(purpose, token).user
    return users.user_for_token(purpose, token)


# What a signed-in session is known by when domain code is called directly (a page passes its
# session cookie, the API its access token): password proofs are counted per session.
SESSION = "a-signed-in-session"


def change_link(user: users.User, address: str, password: str = PASSWORD) -> str:
    """Ask to move `user` to `address` as its owner would (the password, the real request),
    and return the token of the link that request mailed there (delivering the queue)."""
    drain_queue()  # what was queued before goes out first
    before = len(sent_mail())
    email_change.request_change(user, password, address, SESSION)
    drain_queue()
    to = addresses.canonical(address)
    [link] = [m for m in sent_mail()[before:] if m.destinations[0] == to]
    return token_from(link, VERIFY)


def seed_users(count: int, password: str) -> list[str]:
    """`count` accounts (user<i>, user<i>@example.com) written straight to the table, with one
    argon2 hash shared by all: for tests of scale, not of registration. Returns the addresses."""
    digest, now = passwords.hash_password(password), int(time.time())
    seeded = []
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
            seeded.append(email)
    return seeded
