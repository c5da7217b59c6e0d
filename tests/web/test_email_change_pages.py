"""Home shows the address on file and a pending change with a button that cancels it; the
account's hourly caps on changes answer 429 pages."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import users
from tests.helpers.accounts import verify_address
from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, token_from, with_subject
from tests.helpers.web import Browser, log_in, post_form


def _signed_in_verified(browser: Browser, susan: dict[str, Any]) -> None:
    record = users.load_record(susan["id"])
    assert record is not None
    verify_address(users.User.from_record(record))
    assert log_in(browser).status_code == 303


def _ask(browser: Browser, address: str) -> Any:
    return browser.submit("/change_email", {"email": address, "password": PASSWORD})


def test_home_shows_the_address_and_the_pending_change_with_a_cancel_button(
    browser: Browser, susan: dict[str, Any]
) -> None:
    _signed_in_verified(browser, susan)
    home = browser.get("/").body.decode()
    assert "Your email address is Susan@example.com." in home
    assert "cancel_email_change" not in home
    _ask(browser, "susan@new.example")
    home = browser.get("/").body.decode()
    assert "You asked to change your email address to susan@new.example." in home
    assert 'action="/prod/cancel_email_change"' in home
    assert 'class="btn btn-secondary">Cancel the change</button>' in home


def test_cancelling_needs_the_csrf_token_and_kills_the_link(
    browser: Browser, susan: dict[str, Any]
) -> None:
    _signed_in_verified(browser, susan)
    _ask(browser, "susan@new.example")
    drain_queue()
    token = token_from(with_subject("Confirm")[-1], VERIFY)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.jar.items())
    forged = post_form(browser.client, "/cancel_email_change", {"csrf_token": "x"}, cookie)
    assert forged.status_code == 400
    assert browser.get(f"/verify_email/{token}").status_code == 200  # still pending
    html = browser.get("/").body.decode()
    csrf = html.split('name="csrf_token" value="')[1].split('"')[0]
    done = post_form(browser.client, "/cancel_email_change", {"csrf_token": csrf}, cookie)
    assert done.status_code == 303
    assert done.headers["Location"] == f"{BASE_URL}/"
    home = browser.get("/").body.decode()
    assert "susan@new.example" not in home
    dead = browser.get(f"/verify_email/{token}")
    assert dead.status_code == 400
    assert "invalid, used or has expired" in dead.body.decode()


def test_the_fourth_change_request_in_an_hour_answers_a_429_page(
    browser: Browser, susan: dict[str, Any]
) -> None:
    _signed_in_verified(browser, susan)
    for i in range(3):
        assert _ask(browser, f"susan{i}@new.example").status_code == 303
    refused = _ask(browser, "susan9@new.example")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "too often in the last hour" in refused.body.decode()


def test_the_sixth_password_change_in_an_hour_answers_a_429_page(
    browser: Browser, susan: dict[str, Any]
) -> None:
    _signed_in_verified(browser, susan)
    passwords = [PASSWORD, NEW_PASSWORD]
    for i in range(6):
        fields = {
            "current_password": passwords[i % 2],
            "password": passwords[(i + 1) % 2],
            "password2": passwords[(i + 1) % 2],
        }
        answer = browser.submit("/change_password", fields)
        if i < 5:
            assert answer.status_code == 303, answer.body
    assert answer.status_code == 429
    assert 0 < int(answer.headers["Retry-After"]) <= 3600
    assert "changed your password too often" in answer.body.decode()
