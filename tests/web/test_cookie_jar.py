"""Cookies nobody else can plant or toss: on an https site the session, the CSRF nonce and the
device token are `__Host-` cookies (Secure, Path=/, no Domain), and the plain names a sibling
host could set are ignored; over http (`make dev`) they keep their plain names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.test import Client

from tests.helpers.environment import PASSWORD
from tests.helpers.web import (
    CSRF_COOKIE,
    DEVICE_COOKIE,
    SESSION_COOKIE,
    Browser,
    cookies_from,
    csrf_from,
    post_form,
)

HOST_COOKIES = (SESSION_COOKIE, CSRF_COOKIE, DEVICE_COOKIE)


def _set_cookies(*responses: Any) -> dict[str, set[str]]:
    """{name: its attributes} of every Set-Cookie of these answers."""
    found = {}
    for response in responses:
        raw = response.headers.get("Set-Cookie", [])
        for value in raw if isinstance(raw, list) else [raw]:
            name_value, *attributes = value.split("; ")
            found[name_value.split("=", 1)[0]] = set(attributes)
    return found


def test_credentials_are_host_cookies_on_an_https_site(
    browser: Browser, susan: dict[str, Any]
) -> None:
    form = browser.get("/login")
    signed_in = browser.submit("/login", {"username": "susan", "password": PASSWORD})
    switched = browser.submit("/language", {"locale": "es", "next": "/"})
    cookies = _set_cookies(form, signed_in, switched)
    for name in HOST_COOKIES:
        assert {"Path=/", "Secure", "HttpOnly", "SameSite=Lax"} <= cookies[name], name
        assert not any(a.lower().startswith("domain") for a in cookies[name])
    assert "Path=/prod" in cookies["lang"]  # the others stay under the stage's path
    assert not {"session", "csrf", "device"} & set(cookies)


def test_over_http_the_cookies_keep_their_plain_names(
    client: Client, environment: Callable[..., None]
) -> None:
    environment(
        APP_ENV="development",
        PUBLIC_BASE_URL="http://127.0.0.1:8000",
        ARGON2_TIME_COST=None,
        ARGON2_MEMORY_KIB=None,
        ARGON2_PARALLELISM=None,
    )
    browser = Browser(client)
    form = browser.get("/register")
    fields = {"username": "susan", "email": "susan@example.com"}
    fields |= {"password": PASSWORD, "password2": PASSWORD}
    browser.submit("/register", fields)
    signed_in = browser.submit("/login", {"username": "susan", "password": PASSWORD})
    cookies = _set_cookies(form, signed_in)
    for name in ("session", "csrf", "device"):
        assert cookies[name] >= {"Path=/", "HttpOnly", "SameSite=Lax"}, name
        assert "Secure" not in cookies[name]
    assert not set(HOST_COOKIES) & set(cookies)


def test_a_planted_nonce_and_the_planters_token_give_no_login_csrf(
    client: Client, susan: dict[str, Any]
) -> None:
    """The planter (a sibling host, or anyone on plain http) gets a nonce and its token from
    the login page, plants the nonce in the victim's browser under the only name it can set,
    and has the victim post its own credentials: signed in as the planter, the victim would
    type into the planter's account. The form is refused."""
    planter = Browser(client)
    token = csrf_from(planter.get("/login").body.decode())
    nonce = planter.jar[CSRF_COOKIE]
    fields = {"username": "susan", "password": PASSWORD, "csrf_token": token}
    refused = post_form(client, "/login", fields, cookie=f"csrf={nonce}")
    assert refused.status_code == 400
    assert "did not come from this site" in refused.body.decode()
    assert SESSION_COOKIE not in cookies_from(refused)
    # The same nonce under the name only this host can set is the planter's own browser.
    own = post_form(client, "/login", fields, cookie=f"{CSRF_COOKIE}={nonce}")
    assert own.status_code == 303


def test_a_planted_plain_session_or_device_cookie_is_ignored(
    client: Client, susan: dict[str, Any]
) -> None:
    planter = Browser(client)
    planter.submit("/login", {"username": "susan", "password": PASSWORD})
    session, device = planter.jar[SESSION_COOKIE], planter.jar[DEVICE_COOKIE]
    home = client.http.get("/", headers={"Cookie": f"session={session}; device={device}"})
    assert home.status_code == 303  # not signed in as the planter
    assert (
        client.http.get("/", headers={"Cookie": f"{SESSION_COOKIE}={session}"}).status_code == 200
    )
