"""The JSON API of the account's own data: delete it, export it."""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

from chalicelib.auth import deletion, export
from chalicelib.web.api import ANY_TYPE, ME, caller
from chalicelib.web.api_errors import api_errors
from chalicelib.web.http import bearer, json_response, origin_of, parse_json, string_field
from chalicelib.web.owner_json import export_json

account_api = Blueprint(__name__)


def _request() -> Request:
    request = account_api.current_request
    assert request is not None
    return request


@account_api.route(ME, methods=["DELETE"], content_types=ANY_TYPE)
@api_errors
def delete_me() -> Response:
    """Delete the account: 204; a wrong password 401 (counted for this session)."""
    data = parse_json(_request())
    user, session = caller()
    deletion.delete_account(user, string_field(data, "password"), session, origin_of(_request()))
    return Response(body="", status_code=204)


@account_api.route(f"{ME}/export", methods=["GET"], content_types=ANY_TYPE)
@api_errors
def export_me() -> Response:
    """The account, its sessions and its events (GDPR access)."""
    signed, _token = bearer(_request())
    return json_response(export_json(export.export(signed.user, signed.session_id)))
