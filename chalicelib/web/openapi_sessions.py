"""The OpenAPI operations of sessions and refresh tokens (web/session_api.py), merged into
the document by web/openapi.py."""

from __future__ import annotations

from typing import Any

from chalicelib.web.openapi_parts import (
    BEARER,
    ERRORS,
    JSON,
    STRING,
    UNAUTHORIZED,
    answer,
    body,
    obj,
)

SESSIONS = "/api/users/me/sessions"
TIME = {"type": "string", "format": "date-time", "description": "RFC 3339, UTC"}
SESSION = obj(
    ["id", "kind", "created_at", "last_used_at", "client", "user_agent", "current"],
    id=STRING,
    kind={"enum": ["page", "api"], "description": "signed in on the login page, or by the API"},
    created_at=TIME,
    last_used_at={**TIME, "description": "RFC 3339, UTC; written at most once a minute"},
    client={"type": "string", "description": "the client address it signed in from"},
    user_agent={"type": "string", "description": "a short description of its user agent"},
    current={"type": "boolean", "description": "the session of this very request"},
)
REFRESHED = obj(
    ["access_token", "token_type", "expires_in", "refresh_token"],
    access_token=STRING,
    token_type={"const": "bearer"},
    expires_in={"type": "integer"},
    refresh_token={"type": "string", "description": "single use: the next refresh sends it"},
)
LIST = obj(["items"], items={"type": "array", "items": SESSION})
GONE = {"204": answer("Done")}
NOT_YOURS = {"404": answer("No live session of the caller has this id", "Problem")}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**answer(description), "content": {JSON: {"schema": schema}}}


def _op(operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> Any:
    return {
        "operationId": operation_id,
        "tags": ["sessions"],
        "summary": summary,
        "responses": responses,
        **extra,
    }


def paths() -> dict[str, Any]:
    """The sessions' paths, written in full."""
    refused = answer(
        "The refresh token is not valid: forged, expired, of an ended session, or spent (a "
        "spent one presented again ends its whole session)",
        "Problem",
        "WWW-Authenticate",
    )
    return {
        "/api/tokens/refresh": {
            "post": _op(
                "refreshToken",
                "Trade a refresh token for a new access token and refresh token",
                {"200": _json("Refreshed", REFRESHED), "401": refused, **ERRORS},
                requestBody=body(obj(["refresh_token"], refresh_token=STRING)),
            )
        },
        "/api/tokens/revoke": {
            "post": _op(
                "revokeToken",
                "Log out: the calling session ends (its access and refresh tokens too)",
                {**GONE, **UNAUTHORIZED, **ERRORS},
                security=BEARER,
            )
        },
        SESSIONS: {
            "get": _op(
                "listSessions",
                "The account's live sessions",
                {
                    "200": _json(
                        "Sessions", obj(["items"], items={"type": "array", "items": SESSION})
                    ),
                    **UNAUTHORIZED,
                },
                security=BEARER,
            )
        },
        SESSIONS + "/{session_id}": {
            "delete": _op(
                "endSession",
                "End one of the account's sessions",
                {**GONE, **UNAUTHORIZED, **NOT_YOURS},
                security=BEARER,
                parameters=[
                    {"name": "session_id", "in": "path", "required": True, "schema": STRING}
                ],
            )
        },
        SESSIONS + "/revoke-others": {
            "post": _op(
                "revokeOtherSessions",
                "End every session but the caller's",
                {**GONE, **UNAUTHORIZED, **ERRORS},
                security=BEARER,
            )
        },
        SESSIONS + "/revoke-all": {
            "post": _op(
                "revokeAllSessions",
                "Sign out everywhere, this session too (a new security stamp)",
                {**GONE, **UNAUTHORIZED, **ERRORS},
                security=BEARER,
            )
        },
    }
