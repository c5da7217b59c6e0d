"""Request parsing and response shaping shared by pages and the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Request, Response

from chalicelib.auth import activity, sessions, throttle, tokens
from chalicelib.auth.activity import Origin
from chalicelib.errors import (
    AuthenticationError,
    ErrorCode,
    InvalidTokenError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from chalicelib.i18n import N_
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
        raise PayloadTooLargeError(N_("Request body is too large."))
    return body


def parse_form(request: Request) -> dict[str, str]:
    """An urlencoded form as {field: first value}; malformed bodies are a 400.

    Percent-escapes must decode to valid UTF-8 too (errors="strict"): a lone surrogate or a
    stray byte never reaches the hasher, a throttle key or a token parser.
    """
    try:
        fields = parse_qs(
            raw_body(request).decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(N_("The form could not be read.")) from None
    return {name: values[0] for name, values in fields.items()}


def require_json(request: Request) -> None:
    """The raw Content-Type must be application/json (parameters such as charset allowed).

    Chalice reads a missing header as JSON and matches `text/plain;application/json`, both
    of which a cross-site page can send without a preflight; we look at the header ourselves.
    Raises UnsupportedMediaTypeError.
    """
    header = request.headers.get("content-type")
    media_type = (header or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_TYPE:
        raise UnsupportedMediaTypeError("Content-Type must be application/json.")


def parse_json(request: Request) -> dict[str, Any]:
    """A JSON object body; anything else is a 400 (415 for another media type).

    Text must be valid Unicode (JSON lets `"\\ud800"` through as a lone surrogate) and the
    nesting shallow enough to parse without running out of stack.
    """
    require_json(request)
    body = raw_body(request)
    try:
        data = json.loads(body)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):
        raise ValidationError(
            "Request body must be valid JSON.", code=ErrorCode.INVALID_JSON
        ) from None
    if not isinstance(data, dict):
        raise ValidationError("Request body must be a JSON object.", code=ErrorCode.INVALID_JSON)
    return data


def request_id(request: Request) -> str:
    """API Gateway's id for this request (one is made up where there is none), kept once."""
    context = request.context
    if not context.get("requestId"):
        context["requestId"] = uuid.uuid4().hex
    return str(context["requestId"])


def client_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (not a spoofable X-Forwarded-For)."""
    identity = request.context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def origin_of(request: Request) -> Origin:
    """Where a request came from, as an account's security events record it."""
    agent = activity.describe_agent(request.headers.get("user-agent", ""))
    return Origin(client=client_ip(request), user_agent=agent, request_id=request_id(request))


def bearer(request: Request) -> tuple[sessions.Signed, str]:
    """The caller's account and session, and its access token (Authorization: Bearer).
    Raises AuthenticationError (401) without a token, or for one no longer good."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("a bearer token is required")
    try:
        return sessions.check(tokens.Purpose.ACCESS, token.strip()), token.strip()
    except InvalidTokenError:
        raise AuthenticationError("invalid or expired token") from None


def client_key(request: Request) -> str:
    """What per-client caps count: the IPv4 address, or the IPv6 /64 (throttle.client_key)."""
    return throttle.client_key(client_ip(request))


def string_field(data: Mapping[str, Any], name: str, required: bool = True) -> str:
    """A string field of a JSON body (missing optional fields read as '')."""
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ValidationError(
            f"'{name}' is required and must be a string.", name, ErrorCode.FIELD_REQUIRED
        )
    return value


def security_headers(response: Response) -> Response:
    """Headers every response carries: HSTS whenever the public site is https."""
    if get_settings().secure_cookies:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def json_response(body: Mapping[str, Any] | None, status: int = 200, **headers: str) -> Response:
    return Response(
        body=json.dumps(body) if body is not None else "",
        status_code=status,
        headers={"Content-Type": JSON_TYPE, "Cache-Control": "no-store", **headers},
    )


def error_response(
    status: int, code: ErrorCode, message: str, field: str | None = None
) -> Response:
    """An error answer of the JSON API: RFC 9457 problem details (web/problems.py)."""
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return json_response(
        problem(status, code, message, field), status, **{"Content-Type": PROBLEM_TYPE, **extra}
    )
