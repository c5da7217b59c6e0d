"""Accounts in a given state, made through the domain's own paths."""

from __future__ import annotations

from chalicelib.auth import tokens, users, verification


def verify_address(user: users.User) -> users.User:
    """Confirm the user's own address as its link would (a real token, the real confirm)."""
    token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address=user.email)
    return verification.confirm(token)


# What a signed-in session is known by when domain code is called directly (a page passes its
# session cookie, the API its access token): password proofs are counted per session.
SESSION = "a-signed-in-session"
