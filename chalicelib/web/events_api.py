"""The owner's security activity as JSON: GET /api/users/me/events, newest first, a page at a
time (the /security page shows the same events to a browser)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Request, Response

from chalicelib.activity_models import EventRecord
from chalicelib.auth import activity
from chalicelib.web.api import ANY_TYPE, ME, _bearer_user
from chalicelib.web.api_errors import api_errors
from chalicelib.web.http import json_response

events_api = Blueprint(__name__)
EVENTS = ME + "/events"


def _request() -> Request:
    request = events_api.current_request
    assert request is not None
    return request


def event_time(millis: float) -> str:
    """An event's time as RFC 3339 in UTC, to the millisecond (2026-12-06T04:00:00.123Z)."""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _event_json(event: EventRecord) -> dict[str, str]:
    return {
        "kind": event.kind,
        "at": event_time(event.at),
        "client": event.client,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
    }


@events_api.route(EVENTS, methods=["GET"], content_types=ANY_TYPE)
@api_errors
def my_events() -> Response:
    """The caller's events, newest first; `cursor` (from the last page's `next_cursor`) asks
    for the next page, and one we did not give is a 400."""
    query = _request().query_params
    cursor = (query.get("cursor") if query else None) or None
    user = _bearer_user()
    page = activity.recent(user.id, cursor)
    items = [_event_json(event) for event in page.items]
    return json_response({"items": items, "next_cursor": page.next_cursor})
