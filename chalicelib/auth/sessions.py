"""Signed-in sessions: every sign-in (a page's cookie, an API client's tokens) is one stored
session, and every token it issued names it (`sid`), so ending a session ends exactly what it
issued, at once.

A session is an item of the activity table (activity_models.SessionRecord) under its account;
it is live while its item exists, its lifetime has not passed (`expires_at`, checked on read:
TTL deletion lags) and it began under the account's current security stamp. Checking a token
reads the account and the session in one BatchGetItem (as many calls as the account alone
took before); `last_used_at` is written at most once a minute per session.
"""

from __future__ import annotations

import secrets
import time
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.activity_models import SESSION_PREFIX, SessionRecord
from chalicelib.auth import activity, tokens, users
from chalicelib.auth.activity import EventKind, Origin, Page
from chalicelib.auth.users import User
from chalicelib.errors import InvalidTokenError
from chalicelib.logs import logger
from chalicelib.models import (
    USER_PREFIX,
    UserRecord,
    condition_failed,
    read_many,
    transaction_connection,
)

SID_BYTES = 16
TOUCH_EVERY = 60  # seconds: last_used_at is written at most this often per session


class Kind(StrEnum):
    """How a session signed in: a browser's login form, or POST /api/tokens."""

    PAGE = "page"
    API = "api"


@dataclass(frozen=True)
class Signed:
    """Who a session's token names: the account, and the session it belongs to."""

    user: User
    session_id: str


@dataclass(frozen=True)
class SessionView:
    """One live session as its owner sees it (times in seconds since the epoch)."""

    id: str
    kind: str
    created_at: int
    last_used_at: int
    client: str
    user_agent: str
    current: bool


def new_id() -> str:
    """A session id: 16 random bytes, base64url (22 characters)."""
    return urlsafe_b64encode(secrets.token_bytes(SID_BYTES)).decode().rstrip("=")


def key_of(user_id: str, session_id: str) -> tuple[str, str]:
    return USER_PREFIX + user_id, SESSION_PREFIX + session_id


def start(user: User, kind: Kind, ttl: int, origin: Origin, refresh_id: str | None = None) -> str:
    """Store a new session of `user` for `ttl` seconds and its `signed_in` event, in one
    transaction (one call); the new session's id."""
    moment = time.time()  # the event keeps its milliseconds: it sorts among the others
    now = int(moment)
    session_id = new_id()
    session = SessionRecord(
        *key_of(user.id, session_id),
        kind=kind.value,
        created_at=now,
        last_used_at=now,
        client=origin.client,
        user_agent=origin.user_agent[: activity.AGENT_LENGTH],
        refresh_id=refresh_id,
        stamp=user.stamp,
        expires_at=datetime.fromtimestamp(now + ttl, tz=UTC),
    )
    event = activity.pending(user.id, EventKind.SIGNED_IN, origin, at=moment)
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(session)
        transaction.save(event)
    activity.logged(event)
    return session_id


def sign_in_page(user: User, ttl: int, origin: Origin) -> tuple[str, str]:
    """A new browser session of `user` for `ttl` seconds: its id and its cookie's token."""
    session_id = start(user, Kind.PAGE, ttl, origin)
    own = {"sid": session_id}
    return session_id, tokens.issue(tokens.Purpose.SESSION, user.id, user.stamp, ttl, own=own)


def live(session: SessionRecord | None, stamp: str, now: float | None = None) -> bool:
    """Whether a stored session is still good: within its lifetime, under today's stamp."""
    if session is None:
        return False
    moment = time.time() if now is None else now
    return session.expires_at.timestamp() > moment and session.stamp == stamp


def check(purpose: tokens.Purpose, token: str) -> Signed:
    """The account and session a session cookie or access token names, while both are good.

    users.check_claims makes the account's checks (exists, same security stamp); the session
    must be live too. One BatchGetItem reads both. Raises InvalidTokenError.
    """
    claims = tokens.verify(purpose, token)
    session_id = claims.own["sid"]
    user_key = USER_PREFIX + claims.user_id
    key = key_of(claims.user_id, session_id)
    found = read_many([(UserRecord, user_key), (SessionRecord, key)])
    record = users.check_claims(purpose, claims, found.get(UserRecord, user_key))
    session = found.get(SessionRecord, key)
    if not live(session, users.stamp_of(record)):
        raise InvalidTokenError("session ended", purpose.value)
    assert session is not None
    _touch(session)
    return Signed(User.from_record(record), session_id)


def _touch(session: SessionRecord) -> None:
    """Note the session's use, when its last note is a minute old or more: one conditional
    write, so concurrent requests write once, and an ended session is never brought back."""
    now = int(time.time())
    if now - int(session.last_used_at) < TOUCH_EVERY:
        return
    try:
        session.update(
            actions=[SessionRecord.last_used_at.set(now)],
            condition=SessionRecord.last_used_at <= now - TOUCH_EVERY,
        )
    except UpdateError as exc:
        if not condition_failed(exc):  # another request noted it, or it has just ended
            logger.warning("session use not noted", reason=exc.cause_response_code)


def stored(user_id: str) -> list[SessionRecord]:
    """Every session item of the account, live or not yet expired by TTL (one Query)."""
    return list(
        SessionRecord.query(
            USER_PREFIX + user_id,
            SessionRecord.sk.startswith(SESSION_PREFIX),
            consistent_read=True,
        )
    )


def view_of(item: SessionRecord, current: str) -> SessionView:
    """A stored session as its owner sees it; `current` is the caller's session id."""
    return SessionView(
        id=item.sk.removeprefix(SESSION_PREFIX),
        kind=item.kind,
        created_at=int(item.created_at),
        last_used_at=int(item.last_used_at),
        client=item.client,
        user_agent=item.user_agent,
        current=item.sk == SESSION_PREFIX + current,
    )


def active(user: User, current: str) -> list[SessionView]:
    """The account's live sessions, the latest used first (one Query); `current` is the
    session of the caller."""
    now = time.time()
    views = [view_of(item, current) for item in stored(user.id) if live(item, user.stamp, now)]
    return sorted(views, key=lambda view: (not view.current, -view.last_used_at))


def overview(user: User, current: str, cursor: str | None) -> tuple[list[SessionView], Page]:
    """What the owner's security page shows: the live sessions, and a page of the account's
    events from `cursor` on (activity.recent). Raises ValidationError for a bad cursor."""
    return active(user, current), activity.recent(user.id, cursor)
