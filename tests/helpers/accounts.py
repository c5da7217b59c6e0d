"""Accounts in a given state, made through the domain's own paths."""

from __future__ import annotations

from chalicelib import addresses
from chalicelib.auth import email_change, tokens, users, verification
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import drain_queue, sent_mail, verify_token_from


def verify_address(user: users.User) -> users.User:
    """Confirm the user's own address as its link would (a real token, the real confirm)."""
    token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address=user.email)
    return verification.confirm(token)


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
    return verify_token_from(link)
