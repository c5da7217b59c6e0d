"""HTML pages: register, log in and out, change the password, with CSRF, cookies, flash messages
and headers (the reset pages: test_reset_pages.py)."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import drain_queue, sent_mail
from tests.helpers.web import SESSION_COOKIE, Browser, csrf_from, log_in, post_json, sign_up

PAGES = ["/login", "/register", "/reset_password_request"]


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
    registered = sign_up(browser)
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
    [cookie] = [c for c in plain.headers["Set-Cookie"] if c.startswith(f"{SESSION_COOKIE}=")]
    assert {"HttpOnly", "SameSite=Lax", "Secure", "Path=/"} <= set(cookie.split("; "))
    assert "Max-Age" not in cookie  # ends with the browser session
    remembered = log_in(Browser(browser.client), remember=True)
    [cookie] = [c for c in remembered.headers["Set-Cookie"] if c.startswith(f"{SESSION_COOKIE}=")]
    assert "Max-Age=2592000" in cookie


def test_wrong_password_re_renders_the_form(browser: Browser, susan: dict[str, Any]) -> None:
    response = log_in(browser, password="wrong password")
    assert response.status_code == 401
    assert "Invalid username or password" in response.body.decode()
    assert SESSION_COOKIE not in browser.jar


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
    taken = sign_up(browser, "Susan", "bob@example.com")
    assert taken.status_code == 400
    assert "Please use a different username." in taken.body.decode()


@pytest.mark.parametrize("path", ["/reset_password_request", "/reset_password/anything", "/login"])
def test_logged_in_users_are_sent_home(browser: Browser, susan: dict[str, Any], path: str) -> None:
    log_in(browser)
    response = browser.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE_URL}/"


def test_html_forms_must_be_urlencoded(client: Client) -> None:
    response = client.http.post(
        "/login", body='{"username": "x"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 415


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
    old_session = browser.jar[SESSION_COOKIE]
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
    assert browser.jar[SESSION_COOKIE] != old_session  # this browser stays logged in...
    stale = Browser(client)
    stale.jar[SESSION_COOKIE] = old_session  # ...while every older session is void
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
