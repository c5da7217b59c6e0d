"""The web layer against hostile input and cross-site requests: 400 not 500 on broken text,
415 off JSON, POST-only logout, session-bound CSRF, per-client registration cap, HSTS."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.models import Counter
from tests.helpers.environment import PASSWORD
from tests.helpers.web import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Browser,
    cookie_header,
    csrf_from,
    post_form,
    post_json,
    sign_up,
)

LOGIN = {"username": "susan", "password": PASSWORD}


def _login_counters() -> int:
    return sum(1 for c in Counter.scan() if c.pk.startswith("throttle#login"))


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/api/tokens", '{"username": "susan", "password": "\\ud800 wrong"}'),
        ("/api/tokens", '{"username": "\\udfff", "password": "whatever pw"}'),
        (
            "/api/users",
            '{"username": "bob", "email": "b@example.com", "password": "\\ud800xxxxxxx"}',
        ),
        ("/api/password-reset/confirm", '{"token": "\\ud800.a.b", "password": "x"}'),
        ("/api/password-reset", '{"email": "\\ud800@example.com"}'),
        ("/api/tokens", "[" * 5000 + "]" * 5000),
        ("/api/tokens", '{"username": ' + "[" * 5000 + "]" * 5000 + "}"),
    ],
)
def test_broken_text_and_deep_nesting_are_a_400_and_no_login_attempt(
    client: Client, susan: dict[str, Any], route: str, body: str
) -> None:
    response = post_json(client, route, body)
    assert response.status_code == 400, response.body
    assert response.json_body["error"] == "invalid_json"
    assert response.json_body["detail"]
    assert _login_counters() == 0


@pytest.mark.parametrize("escape", ["%ff", "%ed%a0%80", "%c3", "%80abc"])
def test_invalid_utf8_percent_escapes_in_forms_are_a_400_and_no_login_attempt(
    client: Client, susan: dict[str, Any], escape: str
) -> None:
    browser = Browser(client)
    csrf = csrf_from(browser.get("/login").body.decode())
    body = f"username=susan&password={escape}&csrf_token={csrf}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers["Cookie"] = cookie_header(browser.jar)
    response = client.http.post("/login", body=body, headers=headers)
    assert response.status_code == 400
    assert _login_counters() == 0


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain;application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "application/json-seq",
    ],
)
@pytest.mark.parametrize(
    "route",
    [
        "/api/users",
        "/api/tokens",
        "/api/password-reset",
        "/api/password-reset/confirm",
        "/api/users/me/password",
    ],
)
def test_api_posts_without_exactly_json_are_415(
    client: Client, susan: dict[str, Any], route: str, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.http.post(route, body=b'{"username":"susan"}', headers=headers)
    assert response.status_code == 415
    assert response.json_body["error"] == "unsupported_media_type"
    assert response.json_body["detail"]
    assert _login_counters() == 0


def test_json_with_a_charset_parameter_is_accepted(client: Client, susan: dict[str, Any]) -> None:
    response = post_json(
        client, "/api/tokens", LOGIN, **{"Content-Type": "Application/JSON; charset=utf-8"}
    )
    assert response.status_code == 200


def _logged_in(client: Client) -> Browser:
    browser = Browser(client)
    browser.submit("/login", dict(LOGIN))
    assert browser.get("/").status_code == 200
    return browser


def test_get_logout_only_shows_a_form(client: Client, susan: dict[str, Any]) -> None:
    browser = _logged_in(client)
    page = browser.get("/logout")
    assert page.status_code == 200
    assert 'method="post"' in page.body.decode()
    assert browser.get("/").status_code == 200  # still logged in


def test_logout_is_a_post_with_the_csrf_token(client: Client, susan: dict[str, Any]) -> None:
    browser = _logged_in(client)
    assert 'action="/prod/logout"' in browser.get("/").body.decode()  # the form in the nav
    forged = browser.submit("/logout", {"csrf_token": "forged"})
    assert forged.status_code == 400
    assert browser.get("/").status_code == 200
    done = browser.submit("/logout", {})
    assert done.status_code == 303
    assert browser.get("/").status_code == 303  # sent to the login page


def test_a_planted_csrf_cookie_does_not_pass_on_a_victims_session(
    client: Client, susan: dict[str, Any]
) -> None:
    attacker = Browser(client)  # a sibling subdomain can plant its own nonce and knows its token
    token = csrf_from(attacker.get("/login").body.decode())
    victim = _logged_in(client)
    victim.jar[CSRF_COOKIE] = attacker.jar[CSRF_COOKIE]
    fields = {
        "current_password": PASSWORD,
        "password": "n3w pass phrase!",
        "password2": "n3w pass phrase!",
    }
    response = post_form(
        client, "/change_password", {**fields, "csrf_token": token}, cookie_header(victim.jar)
    )
    assert response.status_code == 400
    assert post_json(client, "/api/tokens", LOGIN).status_code == 200  # password unchanged


def test_registrations_per_client_are_capped_with_429(client: Client) -> None:
    def register(n: int) -> Any:
        body = {"username": f"user{n}", "email": f"user{n}@example.com", "password": PASSWORD}
        return post_json(client, "/api/users", body)

    assert [register(n).status_code for n in range(20)] == [201] * 20
    refused = register(20)
    assert refused.status_code == 429
    assert refused.json_body["error"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    taken = post_json(
        client,
        "/api/users",
        {"username": "user0", "email": "user0@example.com", "password": PASSWORD},
    )
    assert taken.status_code == 429  # no more 409 oracle for this client either
    browser = Browser(client)
    page = sign_up(browser, "pageuser", "p@example.com")
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/login", "/api/health", "/static/style.css", "/logout"])
def test_every_answer_of_an_https_site_carries_hsts(client: Client, path: str) -> None:
    response = client.http.get(path)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_is_also_on_json_errors(client: Client) -> None:
    response = client.http.post("/api/tokens", body=b"x", headers={"Content-Type": "text/plain"})
    assert "Strict-Transport-Security" in response.headers


def test_hsts_is_also_on_chalices_own_answers(client: Client) -> None:
    response = client.http.put("/login", body=b"")
    assert response.status_code == 405
    assert "Strict-Transport-Security" in response.headers


def test_a_stale_session_cookie_does_not_spoil_the_next_form(
    client: Client, susan: dict[str, Any]
) -> None:
    browser = Browser(client)
    browser.jar[SESSION_COOKIE] = "stale.session.token"
    response = browser.submit("/login", dict(LOGIN))
    assert response.status_code == 303
    assert browser.get("/").status_code == 200


def test_signing_in_starts_a_new_csrf_nonce(client: Client, susan: dict[str, Any]) -> None:
    browser = Browser(client)
    browser.get("/login")
    before = browser.jar[CSRF_COOKIE]
    browser.submit("/login", dict(LOGIN))
    assert CSRF_COOKIE not in browser.jar  # dropped with the sign-in
    browser.get("/")
    assert browser.jar[CSRF_COOKIE] != before
