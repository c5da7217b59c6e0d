"""Ending sessions: one, all but the caller's, or every one (sign out everywhere).

Each ended session is deleted with its `session_ended` event in one transaction, conditional
on the session still being there, so a session ended twice records one event; every token it
issued fails its next check (auth/sessions.py). Signing out everywhere replaces the security
stamp instead, which ends every token and emailed link of the account at once.
"""

from __future__ import annotations

import re

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.activity_models import SESSION_PREFIX, EventRecord, SessionRecord
from chalicelib.auth import activity, users
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.sessions import key_of, stored
from chalicelib.auth.users import User
from chalicelib.errors import NotFoundError
from chalicelib.i18n import N_
from chalicelib.models import USER_PREFIX, UserRecord, failed_items, transaction_connection

# A transaction holds at most 100 items: a session's delete and its event are two.
ENDED_PER_TRANSACTION = 50
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # sessions.new_id's form
SESSION_GONE = N_("That session has ended already, or is not one of yours.")


def _end(user_id: str, sessions: list[str], origin: Origin) -> int:
    """Delete these sessions of the account, each with its `session_ended` event, in
    transactions (each delete conditional on the session still being there: a session
    ended twice records one event). How many this call ended."""
    ended = 0
    for start_at in range(0, len(sessions), ENDED_PER_TRANSACTION):
        chunk = sessions[start_at : start_at + ENDED_PER_TRANSACTION]
        events = [activity.pending(user_id, EventKind.SESSION_ENDED, origin) for _ in chunk]
        try:
            _delete_with_events(user_id, chunk, events)
        except TransactWriteError as exc:
            gone = {position // 2 for position in failed_items(exc)}
            if not gone:
                raise
            chunk = [sid for i, sid in enumerate(chunk) if i not in gone]
            events = [event for i, event in enumerate(events) if i not in gone]
            if chunk:
                _delete_with_events(user_id, chunk, events)
        for event in events:
            activity.logged(event)
        ended += len(chunk)
    return ended


def _delete_with_events(user_id: str, chunk: list[str], events: list[EventRecord]) -> None:
    with TransactWrite(connection=transaction_connection()) as transaction:
        for session_id, event in zip(chunk, events, strict=True):
            item = SessionRecord(*key_of(user_id, session_id))
            transaction.delete(item, condition=SessionRecord.pk == item.pk)  # while it is there
            transaction.save(event)


def end(user: User, session_id: str, origin: Origin) -> None:
    """End one of the account's own sessions. Raises NotFoundError when it is no live session
    of this account (another account's id reads the same as an unknown one)."""
    if not SESSION_ID.fullmatch(session_id) or not _end(user.id, [session_id], origin):
        raise NotFoundError(SESSION_GONE)


def end_current(user_id: str, session_id: str, origin: Origin) -> None:
    """End the caller's own session (a logout): nothing to do when it has ended already."""
    _end(user_id, [session_id], origin)


def end_others(user: User, current: str, origin: Origin) -> int:
    """End every session of the account but the caller's; how many ended."""
    others = [
        item.sk.removeprefix(SESSION_PREFIX)
        for item in stored(user.id)
        if item.sk != SESSION_PREFIX + current
    ]
    return _end(user.id, others, origin)


def end_all(user: User, origin: Origin) -> None:
    """Sign out everywhere: a new security stamp (every session, token and emailed link of
    the account ends with it, as on a change of password) written with the
    `signed_out_everywhere` event in one transaction; then the items of the sessions begun
    under an older stamp go too (one a sign-in made meanwhile, under the new one, stays)."""
    event = activity.pending(user.id, EventKind.SIGNED_OUT_EVERYWHERE, origin)
    stamp = users.new_stamp()
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.update(
            UserRecord(USER_PREFIX + user.id),
            actions=[UserRecord.security_stamp.set(stamp)],
            condition=UserRecord.user_id == user.id,
        )
        transaction.save(event)
    activity.logged(event)
    stale = [item for item in stored(user.id) if item.stamp != stamp]
    with SessionRecord.batch_write() as batch:
        for item in stale:
            batch.delete(item)
