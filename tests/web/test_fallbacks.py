"""Answers the views do not write: Chalice's 405/415/500 in our shapes, a request id on all."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from tests.helpers.faults import failing
from tests.helpers.web import Browser, post_json

PROBLEM = "application/problem+json"


def test_every_answer_carries_a_request_id_in_a_header(client: Client) -> None:
    first, second = client.http.get("/api/health"), client.http.get("/login")
    assert first.headers["X-Request-Id"]
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert first.headers["X-Request-Id"] not in first.body.decode()


def test_an_api_method_a_route_lacks_is_a_problem_with_allow(client: Client) -> None:
    response = client.http.request("DELETE", "/api/users", headers={}, body=b"")
    assert response.status_code == 405
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["Allow"] == "POST, OPTIONS"  # OPTIONS: its CORS preflight
    body = response.json_body
    assert body["status"] == 405
    assert body["error"] == "method_not_allowed"
    assert body["title"] == "Method Not Allowed"


def test_a_page_method_or_body_type_it_does_not_take_gets_a_page(client: Client) -> None:
    wrong_method = client.http.request("DELETE", "/login", headers={}, body=b"")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Content-Type"].startswith("text/html")
    assert "does not take that method" in wrong_method.body.decode()
    wrong_type = client.http.post(
        "/login", body='{"username": "x"}', headers={"Content-Type": "application/json"}
    )
    assert wrong_type.status_code == 415
    assert wrong_type.headers["Content-Type"].startswith("text/html")
    assert "<h1>Sorry</h1>" in wrong_type.body.decode()


def test_a_failure_on_our_side_is_a_problem_that_names_the_request(client: Client) -> None:
    body = {"username": "bob", "email": "bob@example.com", "password": "a fine long password"}
    with failing("dynamodb.TransactWriteItems"):
        response = post_json(client, "/api/users", body)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json_body["error"] == "server_error"
    assert "Traceback" not in response.body.decode()
    assert response.headers["X-Request-Id"]


def test_a_failing_page_shows_a_page_with_the_reference(
    browser: Browser, susan: dict[str, Any]
) -> None:
    browser.submit("/login", {"username": "susan", "password": "correct horse battery staple"})
    with failing("dynamodb.BatchGetItem"):  # the session cookie's account and session
        response = browser.get("/")
    assert response.status_code == 500
    page = response.body.decode()
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Request-Id"] in page  # the reference to quote
    assert "Something went wrong on our side" in page
