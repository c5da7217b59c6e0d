"""The reset pages: asking for a link, the page that says where it went, the form behind the
link, and what a used, bogus or dead link shows."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.rendering import breakable_address
from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, token_from
from tests.helpers.web import SESSION_COOKIE, Browser, csrf_from, log_in, post_json


def _reset_token(client: Client) -> str:
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    return token_from(sent_mail()[-1], RESET)


@pytest.mark.parametrize("email", ["susan@example.com", "nobody@example.com"])
def test_reset_request_redirects_to_a_page_that_says_where_the_link_went(
    browser: Browser, susan: dict[str, Any], email: str
) -> None:
    response = browser.submit("/reset_password_request", {"email": email})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE_URL}/reset_password_request/sent"
    page = browser.follow(response).body.decode()
    typed = breakable_address(email)  # the address as typed, wrapping after @ and dots only
    assert f"If an account uses <strong>{typed}</strong>" in page
    assert "works once and for 10 minutes" in page
    assert "spam or junk folder" in page
    assert "at most 3 are sent to one address in an hour" in page
    again = browser.get("/reset_password_request/sent").body.decode()  # the cookie is gone
    assert email not in again
    assert "the address you entered" in again
    drain_queue()
    expected = ["susan@example.com"] if email.startswith("susan") else []
    assert [m.destinations[0] for m in sent_mail()] == expected


def test_reset_request_with_a_malformed_address_shows_the_form_again(browser: Browser) -> None:
    response = browser.submit("/reset_password_request", {"email": "not an address"})
    assert response.status_code == 400
    assert "valid email address" in response.body.decode()
    assert drain_queue() == 0


def test_reset_page_shows_the_form_without_consuming_the_token(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    token = _reset_token(client)
    for _ in range(2):  # a mail scanner's GET does not use the link up
        page = browser.get(f"/reset_password/{token}")
        assert page.status_code == 200
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        body = page.body.decode()
        assert 'name="password"' in body
        assert 'name="password2"' in body
        assert token not in body  # the form posts back to its own URL


def test_reset_form_mismatch_then_success(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    token = _reset_token(client)
    path = f"/reset_password/{token}"
    mismatch = browser.submit(path, {"password": NEW_PASSWORD, "password2": "something else"})
    assert mismatch.status_code == 400
    assert "Passwords must match." in mismatch.body.decode()
    assert mismatch.headers["Referrer-Policy"] == "no-referrer"
    done = browser.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 303
    assert done.headers["Location"] == f"{BASE_URL}/login"
    assert "Your password has been reset." in browser.follow(done).body.decode()
    assert log_in(browser, NEW_PASSWORD).status_code == 303


def test_a_dead_link_is_said_before_a_password_mismatch(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    csrf = csrf_from(browser.get("/reset_password_request").body.decode())
    fields = {"password": NEW_PASSWORD, "password2": "something else", "csrf_token": csrf}
    mismatch = browser.submit("/reset_password/bogus", fields)
    assert mismatch.status_code == 303
    assert mismatch.headers["Location"] == f"{BASE_URL}/reset_password_request"
    assert log_in(browser, PASSWORD).status_code == 303


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_used_or_bogus_links_redirect_to_the_request_page_with_a_word(
    browser: Browser, client: Client, susan: dict[str, Any], method: str
) -> None:
    token = _reset_token(client)
    post_json(client, "/api/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    for bad in (token, "not.a.token", "x" * 3000):
        path = f"/reset_password/{bad}"
        if method == "GET":
            response = browser.get(path)
        else:
            fields = {"password": "p" * 12, "password2": "p" * 12, "csrf_token": _csrf(browser)}
            response = browser.submit(path, fields, csrf=False)
        assert response.status_code == 303, bad[:20]
        assert response.headers["Location"] == f"{BASE_URL}/reset_password_request"
        assert "invalid or has expired" in browser.follow(response).body.decode()


def _csrf(browser: Browser) -> str:
    return csrf_from(browser.get("/reset_password_request").body.decode())


def test_a_reset_logs_out_every_existing_session(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    log_in(browser)
    assert browser.get("/").status_code == 200
    token = _reset_token(client)
    post_json(client, "/api/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    response = browser.get("/")
    assert response.status_code == 303
    assert SESSION_COOKIE not in browser.jar  # the stale cookie was cleared


def test_reset_page_loads_nothing_from_elsewhere(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    import re

    body = browser.get(f"/reset_password/{_reset_token(client)}").body.decode()
    references = re.findall(r'(?:src|href|action)="([^"]*)"', body)
    assert references  # the stylesheet, the nav links, the form
    assert all(ref == "" or ref.startswith("/prod/") for ref in references), references
    assert "<script" not in body


def test_the_sent_page_reads_the_same_for_known_and_unknown_addresses(
    client: Client, susan: dict[str, Any]
) -> None:
    pages = {}
    for email in ("susan@example.com", "nobody@example.com"):
        browser = Browser(client)
        followed = browser.follow(browser.submit("/reset_password_request", {"email": email}))
        body = followed.body.decode()
        # Each browser has its own CSRF token (for the language switcher); nothing else differs.
        shown = str(breakable_address(email))
        pages[email] = body.replace(shown, "ADDRESS").replace(csrf_from(body), "CSRF")
    assert pages["susan@example.com"] == pages["nobody@example.com"]


def test_a_planted_sent_to_cookie_shows_no_address(browser: Browser) -> None:
    browser.jar["sent_to"] = "ZXZpbEBleGFtcGxlLmNvbQ.forged"  # evil@example.com, unsigned
    page = browser.get("/reset_password_request/sent").body.decode()
    assert "evil@example.com" not in page
    assert "the address you entered" in page
