"""The browser as a trusted device: a sign-in, a completed reset, a confirmed address or a
password change leave a `__Host-device` cookie, which the login and reset-request forms honour
(and which outlives a logout)."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.auth import devices, users
from tests.helpers.accounts import verify_address
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, VERIFY, drain_queue, settle_mail, token_from, with_subject
from tests.helpers.web import DEVICE_COOKIE, Browser, api_gateway_post, post_json

LOGIN = {"username": "susan", "password": PASSWORD}
YEAR = 365 * 24 * 3600


def _device_cookie(response: Any) -> str:
    [cookie] = [c for c in response.headers["Set-Cookie"] if c.startswith(f"{DEVICE_COOKIE}=")]
    return str(cookie)


def _trusted_browser(client: Client) -> Browser:
    """A browser that signed in as susan and signed out again."""
    browser = Browser(client)
    assert browser.submit("/login", dict(LOGIN)).status_code == 303
    browser.submit("/logout", {})
    assert DEVICE_COOKIE in browser.jar  # a logout keeps the device
    return browser


def _lock_out_strangers() -> None:
    for _ in range(6):
        body = {"username": "susan", "password": "wrong pw!"}
        assert api_gateway_post("/api/tokens", body, "203.0.113.66")["statusCode"] == 401


def test_signing_in_makes_the_browser_a_trusted_device_for_a_year(
    browser: Browser, susan: dict[str, Any]
) -> None:
    cookie = _device_cookie(browser.submit("/login", dict(LOGIN)))
    attributes = set(cookie.split("; ")[1:])
    assert attributes == {"Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={YEAR}", "Secure"}
    device = devices.read(browser.jar[DEVICE_COOKIE])
    assert device is not None
    assert device.user_id == susan["id"]


def test_a_trusted_browser_signs_in_while_strangers_are_locked_out(
    client: Client, susan: dict[str, Any]
) -> None:
    trusted = _trusted_browser(client)
    _lock_out_strangers()
    assert trusted.submit("/login", dict(LOGIN)).status_code == 303
    assert trusted.get("/").status_code == 200
    stranger = Browser(client).submit("/login", dict(LOGIN))
    assert stranger.status_code == 401


def test_a_forged_device_cookie_is_ignored_by_the_login_form(
    client: Client, susan: dict[str, Any]
) -> None:
    _lock_out_strangers()
    forged = Browser(client)
    forged.jar[DEVICE_COOKIE] = "eyJhbGciOiJIUzI1NiJ9.e30.forged"
    plain = Browser(client)
    one, other = forged.submit("/login", dict(LOGIN)), plain.submit("/login", dict(LOGIN))
    assert one.status_code == other.status_code == 401


def test_the_reset_form_honours_the_device_when_strangers_spent_the_address(
    client: Client, susan: dict[str, Any]
) -> None:
    _verify(susan)
    trusted = _trusted_browser(client)
    for n in range(4):
        for _ in range(3):
            api_gateway_post(
                "/api/password-reset", {"email": "susan@example.com"}, f"203.0.113.{n}"
            )
    drain_queue()
    assert len(with_subject("Reset")) == 10
    answers = [
        browser.submit("/reset_password_request", {"email": "susan@example.com"})
        for browser in (Browser(client), trusted)
    ]
    drain_queue()
    assert len(with_subject("Reset")) == 11  # the trusted browser's, not the other's
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert answers[0].body == answers[1].body
    names = [[c.split("=")[0] for c in a.headers["Set-Cookie"]] for a in answers]
    assert names[0] == names[1]


def _verify(susan: dict[str, Any]) -> None:
    stored = users.load_record(susan["id"])
    assert stored is not None
    assert verify_address(users.User.from_record(stored)).email_verified
    settle_mail()


def test_a_completed_reset_makes_the_browser_trusted(
    client: Client, browser: Browser, susan: dict[str, Any]
) -> None:
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    path = f"/reset_password/{token_from(with_subject('Reset')[0], RESET)}"
    done = browser.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 303
    device = devices.read(browser.jar[DEVICE_COOKIE])
    assert device is not None
    assert device.vouches_for("susan@example.com")  # the reset proved the mailbox


def test_a_confirmed_address_makes_the_browser_trusted(client: Client, browser: Browser) -> None:
    post_json(
        client,
        "/api/users",
        {"username": "ada", "email": "ada@example.com", "password": PASSWORD},
    )
    drain_queue()
    path = f"/verify_email/{token_from(with_subject('Confirm')[0], VERIFY)}"
    assert browser.submit(path, {}).status_code == 303
    device = devices.read(browser.jar[DEVICE_COOKIE])
    assert device is not None
    assert device.vouches_for("ada@example.com")


def test_a_password_change_renews_the_device(browser: Browser, susan: dict[str, Any]) -> None:
    browser.submit("/login", dict(LOGIN))
    before = browser.jar[DEVICE_COOKIE]
    fields = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert browser.submit("/change_password", fields).status_code == 303
    after = devices.read(browser.jar[DEVICE_COOKIE])
    old = devices.read(before)
    assert after is not None
    assert old is not None
    assert after.device_id == old.device_id
    assert after.stamp != old.stamp  # the old one died with the old stamp; this one lives on
