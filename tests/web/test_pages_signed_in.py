"""What a signed-in person sees of their own account: a logout page that says what it does,
and their address written so that it wraps only after its `@` and its dots."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from tests.helpers.environment import PASSWORD
from tests.helpers.web import Browser

WRAPPING = '<span class="address">susan@<wbr>example.<wbr>com</span>'
STORED = WRAPPING.replace("susan", "Susan")  # as registered: the local part kept as typed


def _signed_in(client: Client) -> Browser:
    browser = Browser(client)
    assert browser.submit("/login", {"username": "susan", "password": PASSWORD}).status_code == 303
    return browser


def test_the_logout_page_says_who_is_signed_in_and_offers_a_way_back(
    client: Client, susan: dict[str, Any]
) -> None:
    page = _signed_in(client).get("/logout").body.decode()
    main = page.split("<main")[1].split("</main>")[0]
    assert "You are signed in as <strong>susan</strong>." in main
    assert "Log out of Microblog in this browser?" in main
    assert '<button type="submit" class="btn">Log out</button>' in main
    assert 'class="btn btn-secondary" href="/prod/">Stay signed in</a>' in main


def test_the_logout_page_of_a_visitor_offers_to_sign_in(client: Client) -> None:
    main = Browser(client).get("/logout").body.decode().split("<main")[1].split("</main>")[0]
    assert "You are not signed in." in main
    assert "<form" not in main
    assert 'href="/prod/login"' in main


def test_pages_write_addresses_to_wrap_only_after_the_at_and_the_dots(
    client: Client, susan: dict[str, Any]
) -> None:
    browser = _signed_in(client)
    assert STORED in browser.get("/").body.decode()  # unconfirmed: the address is said
    assert STORED in browser.get("/change_email").body.decode()
    visitor = Browser(client)
    sent = visitor.follow(visitor.submit("/reset_password_request", {"email": "susan@example.com"}))
    assert f"<strong>{WRAPPING}</strong>" in sent.body.decode()
