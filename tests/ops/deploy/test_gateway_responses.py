"""API Gateway's own answers: problem details for clients, and for an unknown path the
not-found page for a browser, picked by the request's Accept header as API Gateway does."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.web import not_found
from ops.deploy import gateway_responses as responses

BASE = "https://accounts.example.com/prod"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def page() -> str:
    return not_found.page(BASE, "Microblog")


def test_the_page_is_in_every_language_with_its_links_under_the_base_url(page: str) -> None:
    assert '<section lang="en" class="not-found">' in page
    assert '<section lang="es" class="not-found">' in page
    assert "<h1>Page Not Found</h1>" in page
    assert "<h2>Página no encontrada</h2>" in page
    assert f'<a class="brand" href="{BASE}/">Microblog</a>' in page
    assert f'<link rel="stylesheet" href="{BASE}/static/style.' in page
    assert "<form" not in page  # no session and no CSRF token before the app runs


@pytest.mark.parametrize(
    ("accept", "picked"),
    [
        (BROWSER, "text/html"),
        ("application/json", "application/json"),
        ("application/problem+json, application/json", "application/json"),
        ("*/*", "application/json"),
        ("", "application/json"),
        ("TEXT/HTML; q=1", "text/html"),
    ],
)
def test_a_browser_gets_the_page_and_everyone_else_the_problem(
    page: str, accept: str, picked: str
) -> None:
    status, headers, body = responses.answer("MISSING_AUTHENTICATION_TOKEN", accept, page)
    assert status == 404
    assert headers["Content-Type"].split(";")[0] == picked
    assert headers["X-Content-Type-Options"] == "nosniff"
    if picked == "text/html":
        assert body == page
    else:
        assert json.loads(body)["error"] == "not_found"


def test_other_answers_are_problems_whatever_is_accepted(page: str) -> None:
    status, headers, body = responses.answer("THROTTLED", BROWSER, page)
    assert (status, headers["Content-Type"]) == (429, "application/problem+json")
    assert json.loads(body)["error"] == "too_many_requests"


def test_an_unknown_path_fixes_no_content_type_so_the_picked_templates_is_sent(
    page: str,
) -> None:
    for response_type in responses.RESPONSES:
        put = responses.gateway_response(response_type, page)
        parameters = put["responseParameters"]
        if response_type in responses.PAGE_TYPES:
            assert set(put["responseTemplates"]) == {"application/json", "text/html"}
            assert "gatewayresponse.header.Content-Type" not in parameters
        else:
            assert set(put["responseTemplates"]) == {"application/json"}
            assert parameters["gatewayresponse.header.Content-Type"] == "'application/problem+json'"


def test_make_deploy_puts_both_templates_on_the_api(page: str) -> None:
    client = boto3.client("apigateway", region_name="us-east-1")
    api = client.create_rest_api(name="microblog-accounts")["id"]
    root = client.get_resources(restApiId=api)["items"][0]["id"]
    client.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    assert responses.put_all(client, api, "api", page) == list(responses.RESPONSES)
    stored = client.get_gateway_response(restApiId=api, responseType="RESOURCE_NOT_FOUND")
    assert stored["responseTemplates"]["text/html"] == page
