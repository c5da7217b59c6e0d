"""The delete-account page: the password and the word DELETE, every error at once; done, the
browser is signed out with a flash. The "this wasn't me" pages: tests/auth/test_not_me.py."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import users
from tests.helpers.environment import BASE_URL, PASSWORD
from tests.helpers.web import Browser, log_in, post_form


def test_the_page_asks_for_the_password_and_the_word(
    browser: Browser, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    assert 'href="/prod/delete_account"' in browser.get("/").body.decode()
    page = browser.get("/delete_account")
    assert page.status_code == 200
    html = page.body.decode()
    assert 'name="password"' in html
    assert 'name="confirm"' in html


def test_a_visitor_is_sent_to_sign_in(browser: Browser) -> None:
    answer = browser.get("/delete_account")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{BASE_URL}/login"


def test_every_error_at_once_and_nothing_deleted(browser: Browser, susan: dict[str, Any]) -> None:
    assert log_in(browser).status_code == 303
    refused = browser.submit("/delete_account", {"password": "not it", "confirm": "delete"})
    assert refused.status_code == 400
    html = refused.body.decode()
    assert "That is not your current password." in html
    assert "Type DELETE (in capitals) to confirm." in html
    assert 'value="delete"' in html
    assert "not it" not in html
    not_typed = browser.submit("/delete_account", {"password": PASSWORD, "confirm": ""})
    assert not_typed.status_code == 400
    assert "That is not your current password." not in not_typed.body.decode()
    assert users.load_record(susan["id"]) is not None


def test_a_wrong_password_alone_is_said_on_its_field(
    browser: Browser, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    refused = browser.submit("/delete_account", {"password": "not it", "confirm": "DELETE"})
    assert refused.status_code == 400
    assert "That is not your current password." in refused.body.decode()
    assert users.load_record(susan["id"]) is not None


def test_the_form_needs_its_csrf_token(browser: Browser, susan: dict[str, Any]) -> None:
    assert log_in(browser).status_code == 303
    cookie = "; ".join(f"{k}={v}" for k, v in browser.jar.items())
    fields = {"password": PASSWORD, "confirm": "DELETE", "csrf_token": "forged"}
    assert post_form(browser.client, "/delete_account", fields).status_code == 303  # visitor
    assert post_form(browser.client, "/delete_account", fields, cookie).status_code == 400
    assert users.load_record(susan["id"]) is not None


def test_deleting_signs_the_browser_out_with_a_flash(
    browser: Browser, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    done = browser.submit("/delete_account", {"password": PASSWORD, "confirm": "DELETE"})
    assert done.status_code == 303
    assert done.headers["Location"] == f"{BASE_URL}/login"
    assert "Your account is deleted." in browser.follow(done).body.decode()
    assert users.load_record(susan["id"]) is None
    assert browser.get("/").status_code == 303
