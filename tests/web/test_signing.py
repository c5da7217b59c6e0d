"""Values the browser keeps signed for us (the CSRF token, the reset page's `sent_to` cookie):
one check for both, over every accepted key, and no answer but a clean refusal to odd input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chalice.test import Client

from chalicelib.rendering import breakable_address
from chalicelib.web import signing
from tests.helpers.environment import PASSWORD
from tests.helpers.web import Browser, csrf_from

FORMS = ["/login", "/register", "/reset_password_request", "/language", "/logout"]
SENT_PAGE = "/reset_password_request/sent"
NOBODY = "the address you entered"


@pytest.mark.parametrize(
    "token", ["é", "ü" * 64, "\u2603" + "0" * 63], ids=["one", "token-long", "one-then-hex"]
)
@pytest.mark.parametrize("path", FORMS)
def test_a_non_ascii_csrf_token_is_refused_with_400(client: Client, path: str, token: str) -> None:
    browser = Browser(client)
    browser.get("/login")  # holds a real CSRF cookie
    response = browser.submit(path, {"csrf_token": token}, csrf=False)
    assert response.status_code == 400
    assert "did not come from this site" in response.body.decode()


@pytest.mark.parametrize(
    "cookie",
    [
        'sent_to="YQ.\\351"',  # a non-ASCII signature
        'sent_to="\\351.abc"',  # a non-ASCII payload
        "sent_to=YQ.",
        "sent_to=.",
        "sent_to=%%%.zz",
    ],
)
def test_a_forged_or_mangled_sent_to_cookie_is_ignored(client: Client, cookie: str) -> None:
    response = client.http.get(SENT_PAGE, headers={"Cookie": cookie})
    assert response.status_code == 200
    assert NOBODY in response.body.decode()


def test_a_sent_to_cookie_carries_the_address_it_was_made_for(browser: Browser) -> None:
    browser.jar["sent_to"] = signing.seal("reset-sent-to", "jürgen@example.com")
    assert breakable_address("jürgen@example.com") in browser.get(SENT_PAGE).body.decode()
    browser.jar["sent_to"] = signing.seal("csrf", "jürgen@example.com")  # signed for another use
    assert NOBODY in browser.get(SENT_PAGE).body.decode()


def test_values_signed_before_a_key_rotation_pass_until_that_key_is_dropped(
    client: Client, rotate_keys: Callable[[], None]
) -> None:
    before = Browser(client)
    before.submit("/reset_password_request", {"email": "before@example.com"})
    token = csrf_from(before.get("/register").body.decode())
    sent_to = before.jar["sent_to"]
    rotate_keys()
    assert breakable_address("before@example.com") in before.get(SENT_PAGE).body.decode()
    login = {"username": "nobody", "password": PASSWORD, "csrf_token": token}
    assert before.submit("/login", login, csrf=False).status_code == 401  # past CSRF
    rotate_keys()  # the key they were signed with is no longer accepted
    before.jar["sent_to"] = sent_to
    assert NOBODY in before.get(SENT_PAGE).body.decode()
    assert before.submit("/login", login, csrf=False).status_code == 400
