"""HTML pages: the tutorial's story, with CSRF, cookies, flash messages and headers."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, token_from
from tests.helpers.web import Browser, csrf_from, log_in, post_json

PAGES = ["/login", "/register", "/reset_password_request"]


def _register(browser: Browser) -> Any:
    return browser.submit(
        "/register",
        {
            "username": "susan",
            "email": "susan@example.com",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _reset_token(client: Client) -> str:
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    return token_from(sent_mail()[-1], RESET)


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_security_headers(browser: Browser, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert 'name="csrf_token"' in response.body.decode()
    assert "<script" not in response.body.decode()


def test_login_page_offers_the_reset_link(browser: Browser) -> None:
    body = browser.get("/login").body.decode()
    assert "Forgot Your Password?" in body
    assert '<a href="/prod/reset_password_request">Click to Reset It</a>' in body
    for field in ('name="username"', 'name="password"', 'name="remember_me"'):
        assert field in body


def test_register_login_index_logout(browser: Browser) -> None:
    registered = _register(browser)
    assert registered.status_code == 303
    assert registered.headers["Location"] == f"{BASE_URL}/login"
    assert "Congratulations" in browser.follow(registered).body.decode()
    logged_in = log_in(browser)
    assert logged_in.status_code == 303
    assert browser.follow(logged_in).body.decode().count("Hi, susan!") == 1
    browser.follow(browser.submit("/logout", {}))
    home = browser.get("/")
    assert home.status_code == 303
    assert home.headers["Location"] == f"{BASE_URL}/login"


def test_session_cookie_is_httponly_lax_secure_and_remember_me_persists(
    browser: Browser, susan: dict[str, Any]
) -> None:
    plain = log_in(browser)
    [cookie] = [c for c in plain.headers["Set-Cookie"] if c.startswith("session=")]
    assert {"HttpOnly", "SameSite=Lax", "Secure", "Path=/prod"} <= set(cookie.split("; "))
    assert "Max-Age" not in cookie  # ends with the browser session
    remembered = log_in(Browser(browser.client), remember=True)
    [cookie] = [c for c in remembered.headers["Set-Cookie"] if c.startswith("session=")]
    assert "Max-Age=2592000" in cookie


def test_wrong_password_re_renders_the_form(browser: Browser, susan: dict[str, Any]) -> None:
    response = log_in(browser, password="wrong password")
    assert response.status_code == 401
    assert "Invalid username or password" in response.body.decode()
    assert "session" not in browser.jar


@pytest.mark.parametrize("token", [None, "", "forged-token-value"])
def test_forms_without_a_valid_csrf_token_are_refused(client: Client, token: str | None) -> None:
    browser = Browser(client)
    browser.get("/register")  # holds a real CSRF cookie
    fields = {
        "username": "susan",
        "email": "susan@example.com",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    if token is not None:
        fields["csrf_token"] = token
    response = browser.submit("/register", fields, csrf=False)
    assert response.status_code == 400
    assert "did not come from this site" in response.body.decode()
    assert (
        post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD}).status_code
        == 401
    )


def test_a_token_from_another_browser_does_not_match_this_cookie(client: Client) -> None:
    attacker, victim = Browser(client), Browser(client)
    stolen = csrf_from(attacker.get("/reset_password_request").body.decode())
    victim.get("/reset_password_request")
    response = victim.submit(
        "/reset_password_request", {"email": "x@example.com", "csrf_token": stolen}, csrf=False
    )
    assert response.status_code == 400
    assert drain_queue() == 0


def test_register_form_shows_field_errors(browser: Browser, susan: dict[str, Any]) -> None:
    mismatch = browser.submit(
        "/register",
        {"username": "bob", "email": "bob@example.com", "password": PASSWORD, "password2": "x"},
    )
    assert mismatch.status_code == 400
    assert "Passwords must match." in mismatch.body.decode()
    taken = browser.submit(
        "/register",
        {
            "username": "Susan",
            "email": "bob@example.com",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert taken.status_code == 400
    assert "Please use a different username." in taken.body.decode()


@pytest.mark.parametrize("email", ["susan@example.com", "nobody@example.com"])
def test_reset_request_redirects_to_a_page_that_says_where_the_link_went(
    browser: Browser, susan: dict[str, Any], email: str
) -> None:
    response = browser.submit("/reset_password_request", {"email": email})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE_URL}/reset_password_request/sent"
    page = browser.follow(response).body.decode()
    assert f"If an account uses <strong>{email}</strong>" in page  # the address as typed
    assert "works once and for 10 minutes" in page
    assert "spam or junk folder" in page
    assert "at most 3 are sent to one address in an hour" in page
    again = browser.get("/reset_password_request/sent").body.decode()  # the cookie is gone
    assert email not in again
    assert "the address you entered" in again
    drain_queue()
    expected = ["Susan@example.com"] if email.startswith("susan") else []
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


@pytest.mark.parametrize("path", ["/reset_password_request", "/reset_password/anything", "/login"])
def test_logged_in_users_are_sent_home(browser: Browser, susan: dict[str, Any], path: str) -> None:
    log_in(browser)
    response = browser.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE_URL}/"


def test_a_reset_logs_out_every_existing_session(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    log_in(browser)
    assert browser.get("/").status_code == 200
    token = _reset_token(client)
    post_json(client, "/api/password-reset/confirm", {"token": token, "password": NEW_PASSWORD})
    response = browser.get("/")
    assert response.status_code == 303
    assert "session" not in browser.jar  # the stale cookie was cleared


def test_html_forms_must_be_urlencoded(client: Client) -> None:
    response = client.http.post(
        "/login", body='{"username": "x"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 415


def test_reset_page_loads_nothing_from_elsewhere(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    import re

    body = browser.get(f"/reset_password/{_reset_token(client)}").body.decode()
    references = re.findall(r'(?:src|href|action)="([^"]*)"', body)
    assert references  # the stylesheet, the nav links, the form
    assert all(ref == "" or ref.startswith("/prod/") for ref in references), references
    assert "<script" not in body


def test_register_form_explains_the_password_policy(browser: Browser) -> None:
    response = browser.submit(
        "/register",
        {
            "username": "bob",
            "email": "bob@example.com",
            "password": "qwerty123",
            "password2": "qwerty123",
        },
    )
    assert response.status_code == 400
    assert "This password is too common; please choose another." in response.body.decode()


def test_favicon_is_an_empty_answer(client: Client) -> None:
    response = client.http.get("/favicon.ico")
    assert response.status_code == 204
    assert response.body == b""


def test_change_password_page_needs_login_and_the_current_password(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    anonymous = browser.get("/change_password")
    assert anonymous.headers["Location"] == f"{BASE_URL}/login"
    log_in(browser)
    old_session = browser.jar["session"]
    assert 'href="/prod/change_password"' in browser.get("/").body.decode()
    wrong = browser.submit(
        "/change_password",
        {"current_password": "nope", "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.body.decode()
    common = browser.submit(
        "/change_password",
        {"current_password": PASSWORD, "password": "password1", "password2": "password1"},
    )
    assert "too common" in common.body.decode()
    done = browser.submit(
        "/change_password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert done.headers["Location"] == f"{BASE_URL}/"
    assert "Your password has been changed." in browser.follow(done).body.decode()
    assert browser.jar["session"] != old_session  # this browser stays logged in...
    stale = Browser(client)
    stale.jar["session"] = old_session  # ...while every older session is void
    assert stale.get("/").status_code == 303
    drain_queue()
    assert sent_mail() == []  # her address is unverified: no notice (see test_mail_caps.py)


def test_an_error_is_tied_to_its_field_for_assistive_technology(browser: Browser) -> None:
    fields = {"username": "bob", "email": "bob@example.com", "password": "qwerty123"}
    body = browser.submit("/register", {**fields, "password2": "qwerty123"}).body.decode()
    [password_input] = [tag for tag in body.split("<input") if 'id="password"' in tag]
    assert 'aria-invalid="true"' in password_input
    assert 'aria-describedby="password-help password-error"' in password_input
    assert 'id="password-error" class="invalid-feedback">This password is too common' in body


def test_the_sent_page_reads_the_same_for_known_and_unknown_addresses(
    client: Client, susan: dict[str, Any]
) -> None:
    pages = {}
    for email in ("susan@example.com", "nobody@example.com"):
        browser = Browser(client)
        followed = browser.follow(browser.submit("/reset_password_request", {"email": email}))
        body = followed.body.decode()
        # Each browser has its own CSRF token (for the language switcher); nothing else differs.
        pages[email] = body.replace(email, "ADDRESS").replace(csrf_from(body), "CSRF")
    assert pages["susan@example.com"] == pages["nobody@example.com"]


def test_a_planted_sent_to_cookie_shows_no_address(browser: Browser) -> None:
    browser.jar["sent_to"] = "ZXZpbEBleGFtcGxlLmNvbQ.forged"  # evil@example.com, unsigned
    page = browser.get("/reset_password_request/sent").body.decode()
    assert "evil@example.com" not in page
    assert "the address you entered" in page


def test_a_form_shows_every_error_at_once_and_focuses_the_first(browser: Browser) -> None:
    fields = {"username": "x!", "email": "not an address", "password": "password123"}
    body = browser.submit("/register", {**fields, "password2": "other"}).body.decode()
    for field in ("username", "email", "password", "password2"):
        assert f'id="{field}-error" class="invalid-feedback">' in body, field
    tags = [tag for tag in body.split("<input")[1:] if ' id="' in tag.split(">")[0]]
    inputs = {tag.split(' id="')[1].split('"')[0]: tag.split(">")[0] for tag in tags}
    assert "autofocus" in inputs["username"]
    assert all("autofocus" not in inputs[f] for f in ("email", "password", "password2"))


def test_a_clean_form_still_meets_the_domains_own_check(
    browser: Browser, susan: dict[str, Any]
) -> None:
    fields = {"username": "susan", "email": "other@example.com", "password": "a fine password"}
    taken = browser.submit("/register", {**fields, "password2": "a fine password"})
    assert taken.status_code == 400
    assert "Please use a different username." in taken.body.decode()
