"""The owner's data as the JSON API answers it: one shape for an event, a session and the
export, whichever route answers them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.activity_models import EventRecord
from chalicelib.auth.export import Export
from chalicelib.auth.sessions import SessionView
from chalicelib.auth.users import User


def rfc3339(seconds: float, milliseconds: bool = False) -> str:
    """A moment as RFC 3339 in UTC (2026-12-06T04:00:00Z, or …00.123Z)."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    timespec = "milliseconds" if milliseconds else "seconds"
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def event_json(event: EventRecord) -> dict[str, str]:
    return {
        "kind": event.kind,
        "at": rfc3339(event.at / 1000, milliseconds=True),
        "client": event.client,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
    }


def session_json(view: SessionView) -> dict[str, Any]:
    return {
        "id": view.id,
        "kind": view.kind,
        "created_at": rfc3339(view.created_at),
        "last_used_at": rfc3339(view.last_used_at),
        "client": view.client,
        "user_agent": view.user_agent,
        "current": view.current,
    }


def user_json(user: User) -> dict[str, str | bool | None]:
    """The account as GET /api/users/me answers it."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified,
        "locale": user.locale,
        "pending_email": user.pending_email,
    }


def export_json(data: Export) -> dict[str, Any]:
    account: dict[str, Any] = user_json(data.user)
    account["created_at"] = rfc3339(data.created_at)
    account["password_changed_at"] = rfc3339(data.password_changed_at)
    return {
        "account": account,
        "sessions": [session_json(view) for view in data.sessions],
        "events": [event_json(event) for event in data.events],
    }
