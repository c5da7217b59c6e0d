"""What the address pages say after each outcome: plainly what was done, and what was not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.test import Client

from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, settle_mail, token_from, with_subject
from tests.helpers.web import Browser


def _signed_in(client: Client) -> Browser:
    browser = Browser(client)
    assert browser.submit("/login", {"username": "susan", "password": PASSWORD}).status_code == 303
    return browser


def _resend(browser: Browser) -> str:
    home = browser.get("/").body.decode()
    csrf = home.split('name="csrf_token" value="')[1].split('"')[0]
    return str(browser.follow(browser.submit("/verify_email", {"csrf_token": csrf})).body.decode())


def test_send_the_link_again_says_it_was_sent(client: Client, susan: dict[str, Any]) -> None:
    assert "We sent a new link to your email address." in _resend(_signed_in(client))
    drain_queue()
    assert len(with_subject("Confirm")) == 1


def test_send_the_link_again_says_when_the_hours_links_are_spent(
    client: Client, susan: dict[str, Any], environment: Callable[..., None]
) -> None:
    environment(VERIFY_EMAILS_PER_HOUR="1")  # registration sent the hour's one
    page = _resend(_signed_in(client))
    assert "We have sent several links to your email address in the last hour" in page
    assert "We sent a new link" not in page
    drain_queue()
    assert with_subject("Confirm") == []


def test_send_the_link_again_says_when_the_address_is_confirmed_already(
    client: Client, susan: dict[str, Any]
) -> None:
    browser = _signed_in(client)
    _resend(browser)
    token = token_from(_newest_link(), VERIFY)
    browser.submit(f"/verify_email/{token}", {})
    settle_mail()
    post = browser.submit("/verify_email", {})  # a second tab's button, after the confirmation
    assert "Your email address is already confirmed." in browser.follow(post).body.decode()
    drain_queue()
    assert with_subject("Confirm") == []


def _newest_link() -> Any:
    drain_queue()
    return with_subject("Confirm")[-1]


def test_a_used_change_link_says_the_new_address_is_confirmed_already(
    client: Client, susan: dict[str, Any]
) -> None:
    browser = _signed_in(client)
    settle_mail()
    browser.submit("/change_email", {"email": "susan@new.example", "password": PASSWORD})
    token = token_from(_newest_link(), VERIFY)
    assert browser.submit(f"/verify_email/{token}", {}).status_code == 303
    reopened = Browser(client).get(f"/verify_email/{token}")  # from the mail, in another browser
    assert reopened.status_code == 200
    assert "Your email address is already confirmed." in reopened.body.decode()
    assert 'href="/prod/login"' in reopened.body.decode()
