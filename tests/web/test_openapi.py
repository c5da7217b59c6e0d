"""The API description: served, equal to the app's routes, and true to every answer."""

from __future__ import annotations

from typing import Any

import schemathesis
from chalice.test import Client
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from chalicelib.version import VERSION
from chalicelib.web.openapi import document
from tests.helpers.chalice_transport import session_for
from tests.helpers.environment import BASE_URL, PASSWORD
from tests.helpers.web import post_json

# Every method the API does not take is tried too, except OPTIONS: every path answers it as a
# CORS preflight (web/cors.py), which is no operation of the API.
UNEXPECTED_METHODS = ["get", "put", "post", "delete", "patch", "trace"]
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"unexpected-methods": UNEXPECTED_METHODS}}}
)
schema = schemathesis.openapi.from_dict(document(BASE_URL), config=CONFIG)


def _api_routes() -> set[tuple[str, str]]:
    import app as app_module

    return {
        (path, method.lower())
        for path, methods in app_module.app.routes.items()
        if path.startswith("/api/")
        for method in methods
        if method != "OPTIONS"  # CORS preflights (web/cors.py), not operations
    }


def test_the_document_describes_exactly_the_apps_api_routes() -> None:
    described = {
        (path, method) for path, item in document(BASE_URL)["paths"].items() for method in item
    }
    assert described == _api_routes()


def test_the_document_is_served_with_the_sites_base_url(client: Client) -> None:
    response = client.http.get("/api/openapi.json")
    assert response.status_code == 200
    body = response.json_body
    assert body["openapi"] == "3.1.0"
    assert body["servers"] == [{"url": BASE_URL}]
    assert body["info"]["version"] == VERSION
    assert all(path.startswith("/api/") for path in body["paths"])


def _operations() -> list[dict[str, Any]]:
    return [op for item in document(BASE_URL)["paths"].values() for op in item.values()]


def test_the_document_is_a_valid_openapi_3_1_description() -> None:
    validate(document(BASE_URL))  # raises with what is wrong


def test_every_operation_has_a_unique_operation_id_and_a_declared_tag() -> None:
    described = document(BASE_URL)
    ids = [op["operationId"] for op in _operations()]
    assert len(ids) == len(set(ids))
    assert {"register", "createToken", "getMe", "requestPasswordReset"} <= set(ids)
    assert {"confirmPasswordReset", "confirmEmailVerification", "changePassword"} <= set(ids)
    tags = {tag["name"] for tag in described["tags"]}
    assert all(len(op["tags"]) == 1 and op["tags"][0] in tags for op in _operations())


def test_every_answer_declares_the_headers_it_sends() -> None:
    for op in _operations():
        for status, answer in op["responses"].items():
            headers = set(answer["headers"])
            assert "X-Request-Id" in headers, (op["operationId"], status)
            assert ("WWW-Authenticate" in headers) == (status == "401"), op["operationId"]
            assert ("Retry-After" in headers) == (status == "429"), op["operationId"]
    created = document(BASE_URL)["paths"]["/api/users"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]


def test_a_registration_says_where_the_account_is_read(client: Client) -> None:
    body = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    created = post_json(client, "/api/users", body)
    assert created.headers["Location"] == f"{BASE_URL}/api/users/me"


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_answer_is_a_5xx_or_contradicts_the_document(
    case: schemathesis.Case, client: Client
) -> None:
    # Valid-looking input may still break a business rule (a taken name, a weak password):
    # a documented 4xx then, which 'positive data acceptance' would count as a failure.
    case.call_and_validate(
        base_url=BASE_URL,
        session=session_for(client, BASE_URL),
        excluded_checks=[positive_data_acceptance],
    )
