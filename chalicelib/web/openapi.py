"""The JSON API described as OpenAPI 3.1, served at GET /api/openapi.json.

Written here, beside the routes it describes (tests/web/test_openapi.py keeps the two equal,
and schemathesis checks every answer against it). Paths are written in full (/api/...); the
server is the site's configured base URL, so the document works on every stage. Every
operation has an operationId and a tag, the names a generated client uses.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.auth import passwords
from chalicelib.brand import DEFAULT_SITE_NAME
from chalicelib.version import VERSION
from chalicelib.web import openapi_events, openapi_sessions
from chalicelib.web.openapi_account import with_account_paths
from chalicelib.web.openapi_parts import (
    BEARER,
    DEVICE_TOKEN,
    ERRORS,
    HEADERS,
    PASSWORD,
    STRING,
    TAGS,
    TOO_OFTEN,
    UNAUTHORIZED,
    answer,
    body,
    obj,
    schemas,
)


def _operation(
    operation_id: str, tag: str, summary: str, responses: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "responses": responses,
        **extra,
    }


def _paths() -> dict[str, Any]:
    credentials = obj(
        ["password"], username=STRING, email=STRING, password=PASSWORD, device_token=DEVICE_TOKEN
    )
    return {
        "/api/health": {
            "get": _operation(
                "getHealth", "service", "Liveness and version", {"200": answer("Up", "Health")}
            )
        },
        "/api/openapi.json": {
            "get": _operation(
                "getOpenApiDocument", "service", "This document", {"200": answer("OpenAPI")}
            )
        },
        "/api/users": {
            "post": _operation(
                "register",
                "accounts",
                "Register (emails in the language Accept-Language asks for)",
                {
                    "201": answer("Created", "User", "Location"),
                    "409": answer("Username or email address taken", "Problem"),
                    "429": answer(
                        "Too many registrations from this client", "Problem", "Retry-After"
                    ),
                    **ERRORS,
                },
                requestBody=body(
                    obj(
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
                "createToken",
                "tokens",
                "Sign in: an access token, and a device token strangers' lock does not stop",
                {
                    "200": answer("Signed in", "Token"),
                    "401": answer(
                        "One answer for unknown user, wrong password, locked account and capped "
                        "client",
                        "Problem",
                        "WWW-Authenticate",
                    ),
                    **ERRORS,
                },
                requestBody=body(credentials),
            )
        },
        "/api/users/me": {
            "get": _operation(
                "getMe",
                "accounts",
                "The signed-in user",
                {"200": answer("The user", "User"), **UNAUTHORIZED},
                security=BEARER,
            )
        },
        "/api/users/me/locale": {
            "post": _operation(
                "setLocale",
                "accounts",
                "Choose the language of the account's pages and emails",
                {"200": answer("The user", "User"), **UNAUTHORIZED, **ERRORS},
                security=BEARER,
                requestBody=body(obj(["locale"], locale=STRING)),
            )
        },
        "/api/users/me/password": {
            "post": _operation(
                "changePassword",
                "accounts",
                "Change the password (every older token and session ends)",
                {
                    "200": answer("Changed: a fresh token", "Token"),
                    **UNAUTHORIZED,
                    **TOO_OFTEN,
                    **ERRORS,
                },
                security=BEARER,
                requestBody=body(
                    obj(
                        ["current_password", "new_password"],
                        current_password=PASSWORD,
                        new_password=PASSWORD,
                    )
                ),
            )
        },
        "/api/users/me/email": {
            "post": _operation(
                "changeEmail",
                "email",
                "Ask to change the address: a link goes to the new one (same answer if taken);"
                " it replaces any pending change, whose link dies",
                {"202": answer("Accepted", "Message"), **UNAUTHORIZED, **TOO_OFTEN, **ERRORS},
                security=BEARER,
                requestBody=body(obj(["email", "password"], email=STRING, password=PASSWORD)),
            )
        },
        "/api/users/me/email-change": {
            "delete": _operation(
                "cancelEmailChange",
                "email",
                "Cancel the pending change of address: its link dies (204 if none was pending)",
                {"204": answer("Cancelled"), **UNAUTHORIZED},
                security=BEARER,
            )
        },
        "/api/password-reset": {
            "post": _operation(
                "requestPasswordReset",
                "password-reset",
                "Ask for a reset link (one answer for every address)",
                {"202": answer("Accepted", "Message"), **ERRORS},
                requestBody=body(obj(["email"], email=STRING, device_token=DEVICE_TOKEN)),
            )
        },
        "/api/password-reset/confirm": {
            "post": _operation(
                "confirmPasswordReset",
                "password-reset",
                "Set a new password with the emailed token",
                {"200": answer("Reset", "Message"), **ERRORS},
                requestBody=body(obj(["token", "password"], token=STRING, password=PASSWORD)),
            )
        },
        "/api/email-verification": {
            "post": _operation(
                "requestEmailVerification",
                "email",
                "Send a new confirmation link to the account's address",
                {
                    "202": answer("Accepted (sent if the address still needs it)", "Message"),
                    "415": ERRORS["415"],
                    **UNAUTHORIZED,
                },
                security=BEARER,
            )
        },
        "/api/email-verification/confirm": {
            "post": _operation(
                "confirmEmailVerification",
                "email",
                "Confirm an address with the emailed token (also completes an address change)",
                {
                    "200": answer("Confirmed", "Confirmed"),
                    "409": answer("The new address was taken meanwhile", "Problem"),
                    **ERRORS,
                },
                requestBody=body(obj(["token"], token=STRING)),
            )
        },
    } | openapi_sessions.paths()


@functools.cache
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Accounts",
            "version": VERSION,
            "description": (
                "Registration, login and password reset by email. Passwords: "
                f"{passwords.RULES} Errors are RFC 9457 problem details "
                "(application/problem+json) with a machine-readable `error` code."
            ),
        },
        "tags": TAGS,
        "paths": with_account_paths({**_paths(), **openapi_events.paths()}),
        "components": {
            "schemas": schemas(),
            "headers": HEADERS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def document(base_url: str, site: str = DEFAULT_SITE_NAME) -> dict[str, Any]:
    """The description, its server being the site's base URL, its title the site's name."""
    described = _document()
    info = {**described["info"], "title": f"{site} accounts"}
    return {**described, "info": info, "servers": [{"url": base_url}]}
