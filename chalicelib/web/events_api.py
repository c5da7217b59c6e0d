"""The owner's security activity as JSON: GET /api/users/me/events, newest first, a page at a
time (the /security page shows the same events to a browser)."""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

from chalicelib.auth import activity
from chalicelib.web.api import ANY_TYPE, ME, caller_user
from chalicelib.web.api_errors import api_errors
from chalicelib.web.http import json_response
from chalicelib.web.owner_json import event_json

events_api = Blueprint(__name__)
EVENTS = ME + "/events"


def _request() -> Request:
    request = events_api.current_request
    assert request is not None
    return request


@events_api.route(EVENTS, methods=["GET"], content_types=ANY_TYPE)
@api_errors
def my_events() -> Response:
    """The caller's events, newest first; `cursor` (from the last page's `next_cursor`) asks
    for the next page, and one we did not give is a 400."""
    query = _request().query_params
    cursor = (query.get("cursor") if query else None) or None
    user = caller_user()
    page = activity.recent(user.id, cursor)
    items = [event_json(event) for event in page.items]
    return json_response({"items": items, "next_cursor": page.next_cursor})
