"""Every error a page view raises gets its page's one answer (web/page_errors.py): the form
again with what was typed, or the error page, with the status the API would use too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import time_machine
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


def test_an_expired_form_comes_back_with_what_was_typed(client: Client) -> None:
    fields = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    expired = Browser(client).submit(
        "/register", {**fields, "password2": PASSWORD, "csrf_token": "expired"}, csrf=False
    )
    assert expired.status_code == 400
    page = expired.body.decode()
    assert "<title>Register - Microblog</title>" in page
    assert "This form had expired or did not come from this site, so nothing was done." in page
    assert 'value="bob"' in _input(page, "username")
    assert 'value="bob@example.com"' in _input(page, "email")
    assert PASSWORD not in page
    assert drain_queue() == 0  # nothing was done


def test_an_expired_form_without_a_page_of_its_own_is_the_error_page(client: Client) -> None:
    refused = Browser(client).submit("/language", {"locale": "es"}, csrf=False)
    assert refused.status_code == 400
    assert "<title>Sorry - Microblog</title>" in refused.body.decode()
    assert "Please go back, reload the page and try again." in refused.body.decode()


def test_a_capped_form_comes_back_as_typed_and_says_how_long_to_wait(
    client: Client, environment: Callable[..., None]
) -> None:
    environment(REGISTRATIONS_PER_IP_PER_HOUR="1")
    fields = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    with time_machine.travel(datetime(2026, 12, 6, 10, 44, 30, tzinfo=UTC), tick=False):
        assert Browser(client).submit("/register", REGISTRATION).status_code == 303
        capped = Browser(client).submit("/register", {**fields, "password2": PASSWORD})
    assert capped.status_code == 429
    assert capped.headers["Retry-After"] == "930"  # to 11:00
    page = capped.body.decode()
    assert "<title>Register - Microblog</title>" in page
    assert "Too many registrations from your network." in page
    assert "You can try again in 16 minutes." in page  # 15.5, rounded up
    assert 'value="bob@example.com"' in _input(page, "email")
    assert PASSWORD not in page


def test_a_malformed_address_on_the_reset_request_is_marked_on_its_field(
    browser: Browser,
) -> None:
    response = browser.submit("/reset_password_request", {"email": "not an address"})
    assert response.status_code == 400
    email = _input(response.body.decode(), "email")
    assert 'value="not an address"' in email
    assert 'aria-invalid="true"' in email
    assert "autofocus" in email


def _alert(page: str) -> str:
    [alert] = [part.split(">")[0] for part in page.split('<div class="alert')[1:]]
    return alert


def test_dead_reset_and_confirmation_links_look_alike(browser: Browser) -> None:
    reset = browser.follow(browser.get("/reset_password/not-a-token")).body.decode()
    confirmation = browser.get("/verify_email/not-a-token").body.decode()
    assert "invalid or has expired" in reset
    assert "invalid, used or has expired" in confirmation
    assert _alert(reset) == _alert(confirmation) == ' alert-warning" role="status"'
