"""An account's security activity: what happened, when, from where.

Every event is one item in the activity table, under its account, time-ordered (sk =
event#<ms>#<random>), kept for AUDIT_RETENTION_DAYS; the structured log carries it too
(`event`, for CloudWatch Logs Insights). An event that goes with a change made in a
transaction rides in that transaction (`pending`, then `logged` once it is written), so there
is never a change without its event, nor an event of a change that failed.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.expressions.condition import Condition

from chalicelib.activity_models import EVENT_PREFIX, EventRecord
from chalicelib.errors import ErrorCode, ValidationError
from chalicelib.logs import logger
from chalicelib.models import USER_PREFIX
from chalicelib.settings import get_settings

PAGE_SIZE = 50
AGENT_LENGTH = 60
_SORT_KEY = re.compile(r"event#\d{13}#[0-9a-f]{8}")


class EventKind(StrEnum):
    """What happened: a stable code, shown to owners in their language and to API clients."""

    REGISTERED = "registered"
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    RESET_REQUESTED = "reset_requested"
    RESET_COMPLETED = "reset_completed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event, not a password)
    VERIFICATION_CONFIRMED = "verification_confirmed"
    ADDRESS_CHANGE_REQUESTED = "address_change_requested"
    ADDRESS_CHANGE_CANCELLED = "address_change_cancelled"
    ADDRESS_CHANGED = "address_changed"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    SESSION_ENDED = "session_ended"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # noqa: S105
    FORCED_RESET = "forced_reset"
    NOT_ME = "not_me"
    ACCOUNT_DELETED = "account_deleted"


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the client's address, a short description of its user
    agent, and the request id its answer carries (X-Request-Id)."""

    client: str = ""
    user_agent: str = ""
    request_id: str = ""


_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome")]
_BROWSERS += [("Safari/", "Safari"), ("curl/", "curl"), ("python-requests", "Python")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows")]
_SYSTEMS += [("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def describe_agent(user_agent: str) -> str:
    """A short description of a User-Agent header ("Firefox on Linux"), or its first
    characters when it is none we know: an owner reads it, nobody parses it."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent.strip()[:AGENT_LENGTH]


def pending(user_id: str, kind: EventKind, origin: Origin, at: float | None = None) -> EventRecord:
    """An event not yet written: save it, or put it in the transaction of its change."""
    moment = time.time() if at is None else at
    millis = int(moment * 1000)
    return EventRecord(
        USER_PREFIX + user_id,
        f"{EVENT_PREFIX}{millis:013d}#{secrets.token_hex(4)}",
        kind=kind.value,
        at=millis,
        client=origin.client,
        user_agent=origin.user_agent[:AGENT_LENGTH],
        request_id=origin.request_id,
        expires_at=datetime.fromtimestamp(moment + get_settings().owner.audit_retention, tz=UTC),
    )


def logged(event: EventRecord) -> None:
    """The structured log line of a written event (no address, no token)."""
    logger.info(
        "security event",
        event=event.kind,
        user_id=event.pk.removeprefix(USER_PREFIX),
        client=event.client,
        user_agent=event.user_agent,
        event_request_id=event.request_id,
    )


def record(user_id: str, kind: EventKind, origin: Origin) -> None:
    """Write and log an event that goes with no transaction (one PutItem)."""
    event = pending(user_id, kind, origin)
    event.save()
    logged(event)


@dataclass(frozen=True)
class Page:
    """A page of an account's events, newest first, and the cursor of the next (or None)."""

    items: list[EventRecord]
    next_cursor: str | None


def _decode(cursor: str) -> str:
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = ""
    if not _SORT_KEY.fullmatch(key):
        raise ValidationError(
            "That cursor is not one we gave.", "cursor", ErrorCode.INVALID_REQUEST
        )
    return key


def recent(user_id: str, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """The account's events, newest first, `limit` a page, from `cursor` on (one Query; a
    cursor is the sort key of the last event shown, so it reads only this account's).
    Raises ValidationError for a cursor we did not give."""
    condition: Condition = EventRecord.sk.startswith(EVENT_PREFIX)
    if cursor:
        condition = EventRecord.sk.between(EVENT_PREFIX, _decode(cursor))
    now = int(time.time())
    items: list[EventRecord] = []
    last = cursor and _decode(cursor)
    for event in EventRecord.query(
        USER_PREFIX + user_id, condition, scan_index_forward=False, consistent_read=True
    ):
        if event.sk == last or int(event.expires_at.timestamp()) <= now:
            continue  # the cursor's own event; or one past its TTL (moto never expires)
        if len(items) == limit:
            key = items[-1].sk
            return Page(items, base64.urlsafe_b64encode(key.encode()).decode().rstrip("="))
        items.append(event)
    return Page(items, None)
