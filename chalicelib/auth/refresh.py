"""An API client's session: an access token (short-lived) and a refresh token (single use,
REFRESH_TOKEN_TTL_SECONDS) that trades itself for the next pair.

The session stores the id of its one current refresh token (`refresh_id`); a refresh spends it
with a conditional write (old id -> new id), so of two refreshes with one token exactly one
wins. A spent refresh token presented again is reuse, a sign that it was stolen (OAuth 2.0
Security BCP): the whole session ends, with a `refresh_token_reused` event, and every token it
issued dies at once. There is no grace period: a client must serialise its refreshes.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.activity_models import SessionRecord
from chalicelib.auth import activity, sessions, tokens, users
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.users import User
from chalicelib.errors import InvalidTokenError, RefreshRefusedError
from chalicelib.logs import logger
from chalicelib.models import (
    USER_PREFIX,
    UserRecord,
    failed_items,
    read_many,
    transaction_connection,
    written,
)
from chalicelib.settings import get_settings

RID_BYTES = 12
REFUSED = "The refresh token is not valid; sign in again."


@dataclass(frozen=True)
class Grant:
    """What an API sign-in or a refresh hands the client."""

    session_id: str
    access_token: str
    refresh_token: str
    expires_in: int  # the access token's lifetime, in seconds


def _new_rid() -> str:
    return secrets.token_urlsafe(RID_BYTES)


def _grant(user: User, session_id: str, refresh_id: str) -> Grant:
    settings = get_settings()
    own = {"sid": session_id}
    access = tokens.issue(
        tokens.Purpose.ACCESS, user.id, user.stamp, settings.access_token_ttl, own=own
    )
    refresh = tokens.issue(
        tokens.Purpose.REFRESH,
        user.id,
        user.stamp,
        settings.owner.refresh_token_ttl,
        own={"sid": session_id, "rid": refresh_id},
    )
    return Grant(session_id, access, refresh, settings.access_token_ttl)


def sign_in(user: User, origin: Origin) -> Grant:
    """A new API session of `user` (and its `signed_in` event), and its first tokens: the
    session lives as long as its refresh token."""
    refresh_id = _new_rid()
    ttl = get_settings().owner.refresh_token_ttl
    session_id = sessions.start(user, sessions.Kind.API, ttl, origin, refresh_id)
    return _grant(user, session_id, refresh_id)


def rotate(refresh_token: str, origin: Origin) -> Grant:
    """The next access and refresh tokens for a current refresh token, which is spent.

    One BatchGetItem (the account and the session), one conditional UpdateItem. Raises
    RefreshRefusedError for any failure; a spent token (reuse) ends its session first.
    """
    purpose = tokens.Purpose.REFRESH
    try:
        claims = tokens.verify(purpose, refresh_token)
        user_key = USER_PREFIX + claims.user_id
        key = sessions.key_of(claims.user_id, claims.own["sid"])
        found = read_many([(UserRecord, user_key), (SessionRecord, key)])
        record = users.check_claims(purpose, claims, found.get(UserRecord, user_key))
    except InvalidTokenError:
        raise RefreshRefusedError(REFUSED) from None
    session = found.get(SessionRecord, key)
    if not sessions.live(session, users.stamp_of(record)):
        raise RefreshRefusedError(REFUSED)
    assert session is not None
    spent, fresh = claims.own["rid"], _new_rid()
    if session.refresh_id != spent or not _spend(session, spent, fresh):
        _reused(session, origin)
        raise RefreshRefusedError(REFUSED)
    return _grant(User.from_record(record), claims.own["sid"], fresh)


def _spend(session: SessionRecord, spent: str, fresh: str) -> bool:
    """Replace the session's refresh id `spent` by `fresh`; False when it was spent meanwhile."""
    now = int(time.time())
    return written(
        lambda: session.update(
            actions=[SessionRecord.refresh_id.set(fresh), SessionRecord.last_used_at.set(now)],
            condition=SessionRecord.refresh_id == spent,
        )
    )


def _reused(session: SessionRecord, origin: Origin) -> None:
    """End the session a spent refresh token named, with a `refresh_token_reused` event
    (one transaction; nothing when another request ended it already)."""
    user_id = session.pk.removeprefix(USER_PREFIX)
    event = activity.pending(user_id, EventKind.REFRESH_TOKEN_REUSED, origin)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.delete(session, condition=SessionRecord.pk == session.pk)  # while there
            transaction.save(event)
    except TransactWriteError as exc:
        if not failed_items(exc):
            raise
        return  # another request ended it already
    activity.logged(event)
    logger.warning("refresh token reused: session ended", user_id=user_id)
