"""The JSON API of sessions: refresh and revoke tokens, list and end the caller's sessions.

Each route parses, calls one domain function (auth/refresh.py, auth/sessions.py,
auth/sign_out.py) and shapes the answer; errors are answered by web/api_errors.py.
"""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

from chalicelib.auth import refresh, sessions, sign_out
from chalicelib.web.api_errors import api_errors
from chalicelib.web.http import (
    bearer,
    json_response,
    origin_of,
    parse_json,
    require_json,
    string_field,
)
from chalicelib.web.owner_json import session_json

session_api = Blueprint(__name__)

ANY_TYPE = ["*/*"]  # as web/api.py: parse_json and require_json answer 415 in our shape
SESSIONS = "/api/users/me/sessions"


def _request() -> Request:
    request = session_api.current_request
    assert request is not None
    return request


def _caller() -> sessions.Signed:
    return bearer(_request())[0]


def _no_content() -> Response:
    return Response(body="", status_code=204, headers={"Cache-Control": "no-store"})


@session_api.route("/api/tokens/refresh", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def refresh_token() -> Response:
    """Trade a refresh token for the next access and refresh tokens (the old one is spent)."""
    request = _request()
    presented = string_field(parse_json(request), "refresh_token")
    grant = refresh.rotate(presented, origin_of(request))
    return json_response(
        {
            "access_token": grant.access_token,
            "token_type": "bearer",
            "expires_in": grant.expires_in,
            "refresh_token": grant.refresh_token,
        }
    )


@session_api.route("/api/tokens/revoke", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def revoke_token() -> Response:
    """Log out: the calling session ends, its access and refresh tokens with it."""
    caller = _caller()
    require_json(_request())  # no body to read, but the same rule against cross-site posts
    sign_out.end_current(caller.user.id, caller.session_id, origin_of(_request()))
    return _no_content()


@session_api.route(SESSIONS, methods=["GET"], content_types=ANY_TYPE)
@api_errors
def list_sessions() -> Response:
    caller = _caller()
    views = sessions.active(caller.user, caller.session_id)
    return json_response({"items": [session_json(view) for view in views]})


@session_api.route(SESSIONS + "/{session_id}", methods=["DELETE"], content_types=ANY_TYPE)
@api_errors
def end_session(session_id: str) -> Response:
    """End one of the caller's sessions (another account's id: 404, as an unknown one)."""
    caller = _caller()
    sign_out.end(caller.user, session_id, origin_of(_request()))
    return _no_content()


@session_api.route(SESSIONS + "/revoke-others", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def revoke_other_sessions() -> Response:
    """End every session but the caller's, whose tokens keep working."""
    caller = _caller()
    require_json(_request())
    sign_out.end_others(caller.user, caller.session_id, origin_of(_request()))
    return _no_content()


@session_api.route(SESSIONS + "/revoke-all", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def revoke_all_sessions() -> Response:
    """Sign out everywhere, the caller too: a new security stamp ends every token at once."""
    caller = _caller()
    require_json(_request())
    sign_out.end_all(caller.user, origin_of(_request()))
    return _no_content()
