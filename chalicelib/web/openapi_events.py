"""The OpenAPI description of the owner's security activity (web/events_api.py), merged into
the document by web/openapi.py."""

from __future__ import annotations

from typing import Any

from chalicelib.auth.activity import EventKind
from chalicelib.web.openapi_parts import BEARER, ERRORS, JSON, STRING, UNAUTHORIZED, answer, obj

EVENT = obj(
    ["kind", "at", "client", "user_agent", "request_id"],
    kind={
        "enum": [kind.value for kind in EventKind],
        "description": "what happened: a stable code (docs/api.md says what each means)",
    },
    at={"type": "string", "format": "date-time", "description": "when, RFC 3339 in UTC"},
    client={"type": "string", "description": "the client's address (operator: the operators)"},
    user_agent={"type": "string", "description": "a short description of its user agent"},
    request_id=STRING,
)
EVENTS_PAGE = obj(
    ["items", "next_cursor"],
    items={"type": "array", "items": EVENT},
    next_cursor={
        "type": ["string", "null"],
        "description": "send it as `cursor` for the next page; null on the last",
    },
)


def paths() -> dict[str, Any]:
    """The paths of the events routes, in full."""
    ok = answer("Newest first, 50 a page")
    ok["content"] = {JSON: {"schema": EVENTS_PAGE}}
    return {
        "/api/users/me/events": {
            "get": {
                "operationId": "listEvents",
                "tags": ["accounts"],
                "summary": "The account's security events, newest first, a page at a time",
                "security": BEARER,
                "parameters": [
                    {
                        "name": "cursor",
                        "in": "query",
                        "required": False,
                        "schema": STRING,
                        "description": "the previous page's next_cursor (another: 400)",
                    }
                ],
                "responses": {"200": ok, "400": ERRORS["400"], **UNAUTHORIZED},
            }
        }
    }
