"""The JSON API described as OpenAPI 3.1, served at GET /api/openapi.json.

Written here, beside the routes it describes (tests/web/test_openapi.py keeps the two equal,
and schemathesis checks every answer against it). Paths are written in full (/api/...); the
server is the site's configured base URL, so the document works on every stage.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.auth import passwords
from chalicelib.i18n import LOCALES
from chalicelib.web.problems import PROBLEM_TYPE

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _answer(description: str, schema: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema == "Problem":
        answer["content"] = {PROBLEM_TYPE: {"schema": _ref(schema)}}
    elif schema:
        answer["content"] = {JSON: {"schema": _ref(schema)}}
    return answer


def _object(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


STRING = {"type": "string"}
DEVICE_TOKEN = {"type": "string", "description": "a login's device_token (others are ignored)"}
PASSWORD = {"type": "string", "minLength": 1}
ERRORS = {
    "400": _answer("Invalid input: the body says which field and why", "Problem"),
    "413": _answer("The body is larger than the limit", "Problem"),
    "415": _answer("The body is not application/json", "Problem"),
}
UNAUTHORIZED = {"401": _answer("Missing, invalid or expired bearer token", "Problem")}
TOO_OFTEN = {"429": _answer("Too many of these this hour: see Retry-After", "Problem")}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _operation(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def _paths() -> dict[str, Any]:
    credentials = _object(
        ["password"], username=STRING, email=STRING, password=PASSWORD, device_token=DEVICE_TOKEN
    )
    return {
        "/api/health": {"get": _operation("Liveness", {"200": _answer("Up", "Health")})},
        "/api/openapi.json": {"get": _operation("This document", {"200": _answer("OpenAPI")})},
        "/api/users": {
            "post": _operation(
                "Register (emails in the language Accept-Language asks for)",
                {
                    "201": _answer("Created", "User"),
                    "409": _answer("Username or email address taken", "Problem"),
                    "429": _answer("Too many registrations from this client", "Problem"),
                    **ERRORS,
                },
                requestBody=_body(
                    _object(
                        ["username", "email", "password"],
                        username=STRING,
                        email=STRING,
                        password=PASSWORD,
                    )
                ),
            )
        },
        "/api/tokens": {
            "post": _operation(
                "Log in: an access token, and a device token strangers' lock does not stop",
                {
                    "200": _answer("Logged in", "Token"),
                    "401": _answer(
                        "One answer for unknown user, wrong password, locked account and capped "
                        "client",
                        "Problem",
                    ),
                    **ERRORS,
                },
                requestBody=_body(credentials),
            )
        },
        "/api/users/me": {
            "get": _operation(
                "The logged-in user",
                {"200": _answer("The user", "User"), **UNAUTHORIZED},
                security=BEARER,
            )
        },
        "/api/users/me/locale": {
            "post": _operation(
                "Choose the language of the account's pages and emails",
                {"200": _answer("The user", "User"), **UNAUTHORIZED, **ERRORS},
                security=BEARER,
                requestBody=_body(_object(["locale"], locale=STRING)),
            )
        },
        "/api/users/me/password": {
            "post": _operation(
                "Change the password (every older token and session ends)",
                {
                    "200": _answer("Changed: a fresh token", "Token"),
                    **UNAUTHORIZED,
                    **TOO_OFTEN,
                    **ERRORS,
                },
                security=BEARER,
                requestBody=_body(
                    _object(
                        ["current_password", "new_password"],
                        current_password=PASSWORD,
                        new_password=PASSWORD,
                    )
                ),
            )
        },
        "/api/password-reset": {
            "post": _operation(
                "Ask for a reset link (one answer for every address)",
                {"202": _answer("Accepted", "Message"), **ERRORS},
                requestBody=_body(_object(["email"], email=STRING, device_token=DEVICE_TOKEN)),
            )
        },
        "/api/email-verification": {
            "post": _operation(
                "Send a new confirmation link to the account's address",
                {
                    "202": _answer("Accepted (sent if the address still needs it)", "Message"),
                    "415": ERRORS["415"],
                    **UNAUTHORIZED,
                },
                security=BEARER,
            )
        },
        "/api/email-verification/confirm": {
            "post": _operation(
                "Confirm an address with the emailed token (also completes an address change)",
                {
                    "200": _answer("Confirmed", "Confirmed"),
                    "409": _answer("The new address was taken meanwhile", "Problem"),
                    **ERRORS,
                },
                requestBody=_body(_object(["token"], token=STRING)),
            )
        },
        "/api/users/me/email": {
            "post": _operation(
                "Ask to change the address: a link goes to the new one (same answer if taken);"
                " it replaces any pending change, whose link dies",
                {"202": _answer("Accepted", "Message"), **UNAUTHORIZED, **TOO_OFTEN, **ERRORS},
                security=BEARER,
                requestBody=_body(_object(["email", "password"], email=STRING, password=PASSWORD)),
            )
        },
        "/api/users/me/email-change": {
            "delete": _operation(
                "Cancel the pending change of address: its link dies (204 if none was pending)",
                {"204": _answer("Cancelled"), **UNAUTHORIZED},
                security=BEARER,
            )
        },
        "/api/password-reset/confirm": {
            "post": _operation(
                "Set a new password with the emailed token",
                {"200": _answer("Reset", "Message"), **ERRORS},
                requestBody=_body(_object(["token", "password"], token=STRING, password=PASSWORD)),
            )
        },
    }


def _schemas() -> dict[str, Any]:
    return {
        "Problem": _object(
            ["type", "title", "status", "detail", "error"],
            type={"type": "string", "description": "RFC 9457: about:blank"},
            title={"type": "string", "description": "the HTTP status phrase"},
            status={"type": "integer"},
            detail={"type": "string", "description": "what went wrong, for a person"},
            error={"type": "string", "description": "a stable, machine-readable code"},
            field={"type": "string", "description": "the input field at fault"},
        ),
        "Health": _object(["status"], status=STRING),
        "Message": _object(["message"], message=STRING),
        "User": _object(
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
        "Confirmed": _object(["message", "user"], message=STRING, user=_ref("User")),
        "Token": _object(
            ["access_token", "token_type", "expires_in", "device_token"],
            access_token=STRING,
            token_type={"const": "bearer"},
            expires_in={"type": "integer"},
            device_token={"type": "string", "description": "send it with later logins and resets"},
        ),
    }


@functools.cache
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Microblog accounts",
            "version": "1",
            "description": (
                "Registration, login and password reset by email. Passwords: "
                f"{passwords.RULES} Errors are RFC 9457 problem details "
                "(application/problem+json) with a machine-readable `error` code."
            ),
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def document(base_url: str) -> dict[str, Any]:
    """The description, its server being the site's base URL."""
    return {**_document(), "servers": [{"url": base_url}]}
