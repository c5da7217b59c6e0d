"""What the service holds about an account, for its owner (the right of access): the account,
its sessions and its events. Never a password hash, a token, a stamp or a refresh token's id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.auth import activity
from chalicelib.auth.deletion import sessions_of
from chalicelib.auth.users import User, load_record
from chalicelib.errors import AuthenticationError

# Events are read a page at a time; an account has at most AUDIT_RETENTION_DAYS of them.
EXPORT_PAGE = 500


def rfc3339(seconds: float) -> str:
    """A moment as an RFC 3339 UTC timestamp."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "Z")


def export(user: User) -> dict[str, Any]:
    """The signed-in account's data as JSON-ready values (a Query for the sessions, and one
    per page of events). Raises AuthenticationError when the account is gone."""
    record = load_record(user.id)
    if record is None:
        raise AuthenticationError("no such account")
    current = User.from_record(record)
    account = {
        "id": current.id,
        "username": current.username,
        "email": current.email,
        "email_verified": current.email_verified,
        "locale": current.locale,
        "pending_email": current.pending_email,
        "created_at": rfc3339(record.created_at),
        "password_changed_at": rfc3339(record.password_changed_at),
    }
    sessions = [
        {
            "id": stored.sk.split("#", 1)[1],
            "kind": stored.kind,
            "created_at": rfc3339(stored.created_at),
            "last_used_at": rfc3339(stored.last_used_at),
            "client": stored.client,
            "user_agent": stored.user_agent,
        }
        for stored in sessions_of(user.id)
    ]
    events: list[dict[str, str]] = []
    cursor: str | None = None
    while True:
        page = activity.recent(user.id, cursor, EXPORT_PAGE)
        events += [
            {
                "kind": event.kind,
                "at": rfc3339(event.at / 1000),
                "client": event.client,
                "user_agent": event.user_agent,
                "request_id": event.request_id,
            }
            for event in page.items
        ]
        if page.next_cursor is None:
            return {"account": account, "sessions": sessions, "events": events}
        cursor = page.next_cursor
