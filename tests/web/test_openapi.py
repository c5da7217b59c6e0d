"""The API description: served, equal to the app's routes, and true to every answer."""

from __future__ import annotations

import schemathesis
from chalice.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from chalicelib.web.openapi import document
from tests.helpers.chalice_transport import session_for
from tests.helpers.environment import BASE_URL

# Every method the API does not take is tried too, except OPTIONS: API Gateway answers that
# before the app (Chalice's test client cannot play it).
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
    assert all(path.startswith("/api/") for path in body["paths"])


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
