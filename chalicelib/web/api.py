"""The JSON API: users, access tokens, password reset, email verification and change."""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

from chalicelib import links
from chalicelib.auth import (
    accounts,
    devices,
    email_change,
    password_reset,
    preferences,
    refresh,
    verification,
)
from chalicelib.auth.activity import Origin
from chalicelib.auth.users import User
from chalicelib.i18n import negotiate
from chalicelib.settings import get_settings
from chalicelib.version import VERSION
from chalicelib.web import openapi, wording
from chalicelib.web.api_errors import api_errors
from chalicelib.web.http import (
    bearer,
    client_key,
    json_response,
    origin_of,
    parse_json,
    require_json,
    string_field,
)
from chalicelib.web.owner_json import user_json

api = Blueprint(__name__)

# Chalice's own content-type matching lets cross-site "simple" requests through, so every
# route takes any type here; parse_json (require_json) answers 415 in our error shape.
ANY_TYPE = ["*/*"]
ME = "/api/users/me"
RESET_ACCEPTED = "Check your email for the instructions to reset your password"


def _request() -> Request:
    request = api.current_request
    assert request is not None
    return request


def _origin() -> Origin:
    return origin_of(_request())


@api.route("/api/health", methods=["GET"], content_types=ANY_TYPE)
def health() -> Response:
    """Up, and which release answers (chalicelib/version.py)."""
    return json_response({"status": "ok", "version": VERSION})


@api.route("/api/openapi.json", methods=["GET"], content_types=ANY_TYPE)
def openapi_document() -> Response:
    """The API's OpenAPI 3.1 description (chalicelib/web/openapi.py)."""
    settings = get_settings()
    return json_response(openapi.document(settings.public_base_url, settings.brand.name))


@api.route("/api/users", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def create_user() -> Response:
    data = parse_json(_request())
    user = accounts.register(
        string_field(data, "username"),
        string_field(data, "email"),
        string_field(data, "password"),
        client_key(_request()),
        # The language of its emails: the one this request asks for, as a browser would.
        locale=negotiate(_request().headers.get("accept-language", "")),
        origin=_origin(),
    )
    # Where the new account is read: with a token from POST /api/tokens.
    return json_response(user_json(user), 201, Location=links.absolute(ME))


@api.route("/api/tokens", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def create_token() -> Response:
    data = parse_json(_request())
    identifier = string_field(data, "username", required=False) or string_field(data, "email")
    device = string_field(data, "device_token", required=False)
    user = accounts.authenticate(
        identifier, string_field(data, "password"), client_key(_request()), device, _origin()
    )
    return json_response(_token_json(user, device))


def caller() -> tuple[User, str]:
    """The caller's account and its session's id (what its wrong passwords count under)."""
    signed, _token = bearer(_request())
    return signed.user, signed.session_id


def caller_user() -> User:
    return caller()[0]


def _token_json(user: User, device_token: str = "") -> dict[str, str | int]:
    """A new API session with its first access and refresh tokens, and the caller as a
    trusted device of the account (the device it presented keeps its id when it is one of
    this account's)."""
    grant = refresh.sign_in(user, _origin())
    device = devices.issue(user, keep=devices.read(device_token))
    return {
        "access_token": grant.access_token,
        "token_type": "bearer",
        "expires_in": grant.expires_in,
        "refresh_token": grant.refresh_token,
        "session_id": grant.session_id,
        "device_token": device,
    }


@api.route(ME, methods=["GET"], content_types=ANY_TYPE)
@api_errors
def me() -> Response:
    return json_response(user_json(caller_user()))


@api.route("/api/users/me/locale", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def choose_locale() -> Response:
    data = parse_json(_request())
    user = preferences.set_locale(caller_user(), string_field(data, "locale"))
    return json_response(user_json(user))


@api.route("/api/users/me/password", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def change_password() -> Response:
    data = parse_json(_request())
    user, session = caller()
    current, new = string_field(data, "current_password"), string_field(data, "new_password")
    changed = accounts.change_password(user, current, new, session, _origin())
    # Every earlier token (device tokens too) is void now; hand back fresh ones.
    return json_response(_token_json(changed))


@api.route("/api/password-reset", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def request_password_reset() -> Response:
    request = _request()
    data = parse_json(request)
    password_reset.request_reset(
        string_field(data, "email"),
        client_key(request),
        string_field(data, "device_token", required=False),
        origin_of(request),
    )
    return json_response({"message": RESET_ACCEPTED}, 202)


@api.route("/api/password-reset/confirm", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def confirm_password_reset() -> Response:
    data = parse_json(_request())
    token, password = string_field(data, "token"), string_field(data, "password")
    password_reset.confirm_reset(token, password, _origin())
    return json_response({"message": wording.PASSWORD_RESET})


@api.route("/api/email-verification", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def request_email_verification() -> Response:
    user = caller_user()
    require_json(_request())  # no body to read, but the same rule against cross-site posts
    sent = verification.request_verification(user)
    return json_response({"message": wording.resent(sent, user.email_verified)}, 202)


@api.route("/api/email-verification/confirm", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def confirm_email_verification() -> Response:
    user = verification.confirm(string_field(parse_json(_request()), "token"), _origin())
    return json_response({"message": wording.EMAIL_CONFIRMED, "user": user_json(user)})


@api.route("/api/users/me/email", methods=["POST"], content_types=ANY_TYPE)
@api_errors
def change_email() -> Response:
    data = parse_json(_request())
    user, session = caller()
    password, address = string_field(data, "password"), string_field(data, "email")
    email_change.request_change(user, password, address, session, _origin())
    return json_response({"message": wording.EMAIL_CHANGE_REQUESTED}, 202)


@api.route("/api/users/me/email-change", methods=["DELETE"], content_types=ANY_TYPE)
@api_errors
def cancel_email_change() -> Response:
    """Cancel the pending change of address (its link dies); 204 whether one was pending."""
    email_change.cancel_change(caller_user(), _origin())
    return Response(body="", status_code=204)
