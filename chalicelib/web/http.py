"""Request parsing and response shaping shared by pages and the API."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Request, Response

from chalicelib.auth.tokens import Purpose
from chalicelib.errors import (
    AppError,
    AuthenticationError,
    ConflictError,
    InvalidTokenError,
    PayloadTooLargeError,
    ValidationError,
)
from chalicelib.settings import get_settings
from chalicelib.web.problems import PROBLEM_TYPE, problem

MAX_FORM_FIELDS = 20
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
TOKEN_PAGE_HEADERS = {**PAGE_HEADERS, "Referrer-Policy": "no-referrer"}


def raw_body(request: Request) -> bytes:
    """The body, refused with 413 beyond the configured size."""
    body = request.raw_body or b""
    if isinstance(body, str):
        body = body.encode()
    if len(body) > get_settings().max_body_bytes:
        raise PayloadTooLargeError("Request body is too large.")
    return body


def parse_form(request: Request) -> dict[str, str]:
    """An urlencoded form as {field: first value}; malformed bodies are a 400."""
    try:
        fields = parse_qs(
            raw_body(request).decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise ValidationError("The form could not be read.") from None
    return {name: values[0] for name, values in fields.items()}


def parse_json(request: Request) -> dict[str, Any]:
    """A JSON object body; anything else is a 400 saying what is wrong."""
    body = raw_body(request)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise ValidationError("Request body must be valid JSON.") from None
    if not isinstance(data, dict):
        raise ValidationError("Request body must be a JSON object.")
    return data


def client_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (not a spoofable X-Forwarded-For)."""
    identity = request.context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def string_field(data: Mapping[str, Any], name: str, required: bool = True) -> str:
    """A string field of a JSON body (missing optional fields read as '')."""
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ValidationError(f"'{name}' is required and must be a string.", name)
    return value


def cookies(request: Request) -> dict[str, str]:
    """The request's cookies; a malformed Cookie header reads as no cookies."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.headers.get("cookie", ""))
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def set_cookie(name: str, value: str, max_age: int | None = None) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, Secure on https, scoped to the base path."""
    settings = get_settings()
    parts = [f"{name}={value}", f"Path={settings.base_path or '/'}", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if settings.secure_cookies:
        parts.append("Secure")
    return "; ".join(parts)


def json_response(body: Mapping[str, Any] | None, status: int = 200, **headers: str) -> Response:
    return Response(
        body=json.dumps(body) if body is not None else "",
        status_code=status,
        headers={"Content-Type": JSON_TYPE, "Cache-Control": "no-store", **headers},
    )


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    """An error answer of the JSON API: RFC 9457 problem details (web/problems.py)."""
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return json_response(
        problem(status, code, message, field), status, **{"Content-Type": PROBLEM_TYPE, **extra}
    )


# What a person is told when a token of each purpose fails.
TOKEN_FAILURES = {
    Purpose.RESET_PASSWORD.value: "The reset link is invalid or has expired.",
    Purpose.VERIFY_EMAIL.value: "The confirmation link is invalid, used or has expired.",
}
TOKEN_FAILURE = "The token is invalid or has expired."  # noqa: S105 (words, not a secret)


def token_failure(exc: InvalidTokenError) -> str:
    """The words for a failed token, after what it was presented for."""
    return TOKEN_FAILURES.get(exc.purpose, TOKEN_FAILURE)


def _error_for(exc: AppError) -> Response:
    if isinstance(exc, PayloadTooLargeError):
        return error_response(413, "payload_too_large", exc.message)
    if isinstance(exc, ValidationError):
        return error_response(400, "invalid_request", exc.message, exc.field)
    if isinstance(exc, ConflictError):
        return error_response(409, "conflict", exc.message, exc.field)
    if isinstance(exc, AuthenticationError):
        return error_response(401, "unauthorized", str(exc))
    if isinstance(exc, InvalidTokenError):
        # Every failure of one kind of token is one answer: the reason stays on our side.
        return error_response(400, "invalid_token", token_failure(exc))
    raise exc


def api_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """Map our domain errors to JSON 4xx answers (Chalice middleware never sees them)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except AppError as exc:
            return _error_for(exc)

    return wrapper
