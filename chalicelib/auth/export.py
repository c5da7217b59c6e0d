"""The account's data for its owner (the right of access): the account, every stored session
and every event, never a password hash, token, stamp or refresh id."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.activity_models import EventRecord
from chalicelib.auth import activity, sessions
from chalicelib.auth.sessions import SessionView
from chalicelib.auth.users import User, load_record
from chalicelib.errors import AuthenticationError

# Events are read a page at a time; an account has at most AUDIT_RETENTION_DAYS of them.
EXPORT_PAGE = 500


@dataclass(frozen=True)
class Export:
    """What an account holds, as its owner may read it (times in seconds since the epoch)."""

    user: User
    created_at: float
    password_changed_at: float
    sessions: list[SessionView]
    events: list[EventRecord]


def export(user: User, current: str) -> Export:
    """The signed-in account's data (`current`: the caller's session id): a GetItem, a Query
    for the sessions (ended ones too, until their TTL) and one per page of events.
    Raises AuthenticationError when the account is gone."""
    record = load_record(user.id)
    if record is None:
        raise AuthenticationError("no such account")
    stored = [sessions.view_of(item, current) for item in sessions.stored(user.id)]
    events: list[EventRecord] = []
    cursor: str | None = None
    while True:
        page = activity.recent(user.id, cursor, EXPORT_PAGE)
        events += page.items
        if page.next_cursor is None:
            return Export(
                User.from_record(record),
                record.created_at,
                record.password_changed_at,
                stored,
                events,
            )
        cursor = page.next_cursor
