"""The pieces the OpenAPI document is built from: answers with their headers, bodies, the
schemas and the tags (web/openapi.py writes the paths with them)."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import ErrorCode
from chalicelib.i18n import LOCALES
from chalicelib.web.problems import PROBLEM_TYPE

JSON = "application/json"
STRING = {"type": "string"}
PASSWORD = {"type": "string", "minLength": 1}
DEVICE_TOKEN = {"type": "string", "description": "a login's device_token (others are ignored)"}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]

# Tags group the operations (a generated client makes a module of each).
TAGS = [
    {"name": "accounts", "description": "Register, read and change an account"},
    {"name": "tokens", "description": "Sign in: access tokens for the bearer scheme"},
    {"name": "sessions", "description": "Refresh tokens; see and end the account's sessions"},
    {"name": "password-reset", "description": "Set a new password through an emailed link"},
    {"name": "email", "description": "Confirm an address, or move the account to another"},
    {"name": "service", "description": "Health and this document"},
]

HEADERS = {
    "X-Request-Id": {
        "description": "API Gateway's id of this request: quote it when reporting a failure",
        "required": True,
        "schema": STRING,
    },
    "Retry-After": {
        "description": "seconds until the cap lets this client in again (API Gateway's own "
        "throttling sends none)",
        "schema": {"type": "integer", "minimum": 1},
    },
    "WWW-Authenticate": {
        "description": "the scheme to authenticate with: Bearer",
        "required": True,
        "schema": {"const": "Bearer"},
    },
    "Location": {
        "description": "the new account: GET /api/users/me with a token from POST /api/tokens",
        "required": True,
        "schema": {"type": "string", "format": "uri"},
    },
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def answer(description: str, schema: str | None = None, *headers: str) -> dict[str, Any]:
    """One response: its body's schema (problems as problem+json) and the headers it sends
    (every answer carries X-Request-Id)."""
    sent = {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-Request-Id", *headers)}
    described: dict[str, Any] = {"description": description, "headers": sent}
    if schema == "Problem":
        described["content"] = {PROBLEM_TYPE: {"schema": ref(schema)}}
    elif schema:
        described["content"] = {JSON: {"schema": ref(schema)}}
    return described


def obj(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


ERRORS = {
    "400": answer("Invalid input: `error` says what and `field` which", "Problem"),
    "413": answer("The body is larger than the limit", "Problem"),
    "415": answer("The body is not application/json", "Problem"),
}
UNAUTHORIZED = {
    "401": answer("Missing, invalid or expired bearer token", "Problem", "WWW-Authenticate")
}
TOO_OFTEN = {
    "429": answer("Too many of these this hour: see Retry-After", "Problem", "Retry-After")
}


def schemas() -> dict[str, Any]:
    return {
        "Problem": obj(
            ["type", "title", "status", "detail", "error"],
            type={"type": "string", "description": "RFC 9457: about:blank"},
            title={"type": "string", "description": "the HTTP status phrase"},
            status={"type": "integer"},
            detail={"type": "string", "description": "what went wrong, for a person"},
            error={
                "type": "string",
                "enum": [code.value for code in ErrorCode],
                "description": "a stable, machine-readable code (docs/api.md says what each "
                "means); translate this, not `detail`",
            },
            field={"type": "string", "description": "the input field at fault"},
        ),
        "Health": obj(["status", "version"], status=STRING, version=STRING),
        "Message": obj(["message"], message=STRING),
        "User": obj(
            ["id", "username", "email", "email_verified", "locale", "pending_email"],
            id=STRING,
            username=STRING,
            email=STRING,
            email_verified={"type": "boolean"},
            locale={"enum": list(LOCALES), "description": "language of pages and emails"},
            pending_email={
                "type": ["string", "null"],
                "description": "the address a pending change would move the account to, "
                "while its link is alive; null when none is pending",
            },
        ),
        "Confirmed": obj(["message", "user"], message=STRING, user=ref("User")),
        "Token": obj(
            [
                "access_token",
                "token_type",
                "expires_in",
                "refresh_token",
                "session_id",
                "device_token",
            ],
            access_token=STRING,
            token_type={"const": "bearer"},
            expires_in={"type": "integer"},
            refresh_token={"type": "string", "description": "single use: POST /api/tokens/refresh"},
            session_id={"type": "string", "description": "the session these tokens belong to"},
            device_token={"type": "string", "description": "send it with later logins and resets"},
        ),
    }
