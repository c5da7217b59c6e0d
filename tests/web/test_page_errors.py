"""Every error a page view raises gets its page's one answer (web/page_errors.py): the form
again with what was typed, or the error page, with the status the API would use too."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import drain_queue
from tests.helpers.web import Browser, cookie_header, csrf_from

REGISTRATION = {
    "username": "susan",
    "email": "other@example.com",
    "password": PASSWORD,
    "password2": PASSWORD,
}


def _input(body: str, name: str) -> str:
    [tag] = [tag.split(">")[0] for tag in body.split("<input") if f'name="{name}"' in tag]
    return tag


def test_a_refused_form_comes_back_with_what_was_typed_but_no_password(
    browser: Browser, susan: dict[str, Any]
) -> None:
    taken = browser.submit("/register", REGISTRATION)
    assert taken.status_code == 400
    body = taken.body.decode()
    assert 'value="susan"' in _input(body, "username")
    assert 'value="other@example.com"' in _input(body, "email")
    assert PASSWORD not in body
    assert 'aria-invalid="true"' in _input(body, "username")


def test_an_oversized_form_is_a_413_page_and_changes_nothing(browser: Browser) -> None:
    fields = {"email": "someone@example.com", "padding": "x" * 20_000}
    response = browser.submit("/reset_password_request", fields)
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>Sorry</h1>" in response.body.decode()
    assert drain_queue() == 0


def test_an_unreadable_form_is_the_error_page_not_the_form(client: Client) -> None:
    browser = Browser(client)
    csrf = csrf_from(browser.get("/register").body.decode())
    body = f"username=bob&email=%ff&csrf_token={csrf}"
    response = client.http.post(
        "/register",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(browser.jar),
        },
    )
    assert response.status_code == 400
    page = response.body.decode()
    assert "The form could not be read." in page
    assert 'name="username"' not in page


def test_the_error_page_of_a_refused_request_is_titled_for_what_it_is(client: Client) -> None:
    forged = Browser(client).submit("/login", {"csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400
    assert "<title>Sorry - Microblog</title>" in forged.body.decode()


def test_a_malformed_address_on_the_reset_request_is_marked_on_its_field(
    browser: Browser,
) -> None:
    response = browser.submit("/reset_password_request", {"email": "not an address"})
    assert response.status_code == 400
    email = _input(response.body.decode(), "email")
    assert 'value="not an address"' in email
    assert 'aria-invalid="true"' in email
    assert "autofocus" in email
