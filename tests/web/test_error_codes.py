"""One `error` code per failure a client can act on: each answered where it happens, each
listed in the OpenAPI document and in docs/api.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.errors import ErrorCode
from chalicelib.web.openapi import document
from ops.deploy.gateway_responses import RESPONSES, gateway_response
from tests.helpers.environment import BASE_URL, PASSWORD
from tests.helpers.web import post_json

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BOB = {"username": "bob", "email": "bob@example.com"}


def _register(**body: str) -> Callable[[Client], Any]:
    return lambda client: post_json(client, "/api/users", {**BOB, "password": PASSWORD, **body})


def _bearer(client: Client) -> dict[str, str]:
    token = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    return {"Authorization": "Bearer " + token.json_body["access_token"]}


# code -> (how a client gets it, the status it comes with, the field it names)
ANSWERED: dict[ErrorCode, tuple[Callable[[Client], Any], int, str | None]] = {
    ErrorCode.PASSWORD_TOO_SHORT: (_register(password="short"), 400, "password"),
    ErrorCode.PASSWORD_TOO_LONG: (_register(password="x" * 257), 400, "password"),
    ErrorCode.PASSWORD_TOO_COMMON: (_register(password="password123"), 400, "password"),
    ErrorCode.PASSWORD_LIKE_USERNAME: (
        _register(username="bobsmith42", password="BobSmith42"),
        400,
        "password",
    ),
    ErrorCode.USERNAME_INVALID: (_register(username="bo"), 400, "username"),
    ErrorCode.EMAIL_INVALID: (_register(email="not-an-address"), 400, "email"),
    ErrorCode.EMAIL_LOCAL_PART_NOT_ASCII: (_register(email="josé@example.com"), 400, "email"),
    ErrorCode.USERNAME_TAKEN: (_register(username="SUSAN"), 409, "username"),
    ErrorCode.EMAIL_TAKEN: (_register(email="susan@EXAMPLE.com"), 409, "email"),
    ErrorCode.INVALID_JSON: (lambda c: post_json(c, "/api/tokens", "{not json"), 400, None),
    ErrorCode.FIELD_REQUIRED: (lambda c: post_json(c, "/api/password-reset", {}), 400, "email"),
    ErrorCode.LOCALE_UNSUPPORTED: (
        lambda c: post_json(c, "/api/users/me/locale", {"locale": "tlh"}, **_bearer(c)),
        400,
        "locale",
    ),
    ErrorCode.INVALID_TOKEN: (
        lambda c: post_json(c, "/api/password-reset/confirm", {"token": "x", "password": "y"}),
        400,
        None,
    ),
    ErrorCode.UNAUTHORIZED: (lambda c: c.http.get("/api/users/me"), 401, None),
    ErrorCode.PAYLOAD_TOO_LARGE: (_register(password="x" * 100_000), 413, None),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: (
        lambda c: c.http.post("/api/tokens", body="{}", headers={"Content-Type": "text/plain"}),
        415,
        None,
    ),
    ErrorCode.METHOD_NOT_ALLOWED: (
        lambda c: c.http.request("DELETE", "/api/users", headers={}, body=b""),
        405,
        None,
    ),
}
# Answered by API Gateway before the app (ops/deploy/gateway_responses.py), or by a failure
# on our side (tests/web/test_fallbacks.py), or over a cap (tests/web/test_hardening.py), or
# after a session's fifth wrong password (tests/auth/test_password_proofs.py).
ELSEWHERE = {
    ErrorCode.SESSION_ENDED,
    ErrorCode.NOT_FOUND,
    ErrorCode.INVALID_REQUEST,
    ErrorCode.SERVER_ERROR,
    ErrorCode.TOO_MANY_REQUESTS,
}


@pytest.mark.parametrize("code", list(ANSWERED), ids=str)
def test_each_failure_a_client_can_act_on_has_its_own_code(
    client: Client, susan: dict[str, Any], code: ErrorCode
) -> None:
    ask, status, field = ANSWERED[code]
    response = ask(client)
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json_body["error"] == code
    assert response.json_body.get("field") == field


def test_every_code_is_answered_somewhere() -> None:
    gateway = {error for _status, error, _detail in RESPONSES.values()}
    assert set(ANSWERED) | ELSEWHERE == set(ErrorCode)
    assert gateway <= set(ErrorCode)
    for response_type in RESPONSES:
        answered = gateway_response(response_type, "<!doctype html>")
        body = json.loads(answered["responseTemplates"]["application/json"])
        assert body["error"] in set(ErrorCode)


def test_the_document_lists_every_code_as_an_enum() -> None:
    problem = document(BASE_URL)["components"]["schemas"]["Problem"]
    assert problem["properties"]["error"]["enum"] == [code.value for code in ErrorCode]


def test_the_api_reference_explains_every_code() -> None:
    reference = API_DOC.read_text()
    missing = [code.value for code in ErrorCode if f"| `{code.value}` |" not in reference]
    assert missing == []
