"""The JSON API: users, access tokens, password reset."""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

from chalicelib import accounts, password_reset, tokens
from chalicelib.errors import AuthenticationError
from chalicelib.settings import get_settings
from chalicelib.web.http import api_errors, json_response, parse_json, string_field

api = Blueprint(__name__)

RESET_ACCEPTED = "Check your email for the instructions to reset your password"


def _request() -> Request:
    request = api.current_request
    assert request is not None
    return request


def _user_json(user: accounts.User) -> dict[str, str]:
    return {"id": user.id, "username": user.username, "email": user.email}


@api.route("/api/health", methods=["GET"])
def health() -> Response:
    return json_response({"status": "ok"})


@api.route("/api/users", methods=["POST"])
@api_errors
def create_user() -> Response:
    data = parse_json(_request())
    user = accounts.register(
        string_field(data, "username"), string_field(data, "email"), string_field(data, "password")
    )
    return json_response(_user_json(user), 201)


@api.route("/api/tokens", methods=["POST"])
@api_errors
def create_token() -> Response:
    data = parse_json(_request())
    identifier = string_field(data, "username", required=False) or string_field(data, "email")
    user = accounts.authenticate(identifier, string_field(data, "password"))
    ttl = get_settings().access_token_ttl
    token = accounts.issue_token(user, tokens.Purpose.ACCESS, ttl)
    return json_response({"access_token": token, "token_type": "bearer", "expires_in": ttl})


@api.route("/api/users/me", methods=["GET"])
@api_errors
def me() -> Response:
    scheme, _, token = _request().headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("a bearer token is required")
    return json_response(_user_json(accounts.user_from_token(tokens.Purpose.ACCESS, token.strip())))


@api.route("/api/password-reset", methods=["POST"])
@api_errors
def request_password_reset() -> Response:
    password_reset.request_reset(string_field(parse_json(_request()), "email"))
    return json_response({"message": RESET_ACCEPTED}, 202)


@api.route("/api/password-reset/confirm", methods=["POST"])
@api_errors
def confirm_password_reset() -> Response:
    data = parse_json(_request())
    password_reset.confirm_reset(string_field(data, "token"), string_field(data, "password"))
    return json_response({"message": "Your password has been reset."})
