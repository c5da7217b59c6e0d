"""HTML pages about the address: confirm (GET shows, POST confirms), resend, change."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.auth import users
from chalicelib.rendering import breakable_address
from tests.helpers.environment import BASE_URL, PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, settle_mail, token_from, with_subject
from tests.helpers.web import Browser, log_in, post_form, sign_up


def _link_token() -> str:
    drain_queue()
    return token_from(with_subject("Confirm")[-1], VERIFY)


def _verified(susan: dict[str, Any]) -> bool:
    record = users.load_record(susan["id"])
    assert record is not None
    return bool(record.email_verified)


def test_registration_redirects_to_login_saying_to_check_the_email(browser: Browser) -> None:
    done = sign_up(browser)
    assert done.headers["Location"] == f"{BASE_URL}/login"
    assert "check your email" in browser.follow(done).body.decode()
    drain_queue()
    assert [m.destinations[0] for m in with_subject("Confirm")] == ["susan@example.com"]


def test_the_home_page_says_unconfirmed_and_resends_by_post(
    browser: Browser, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    home = browser.get("/").body.decode()
    assert "unconfirmed" in home
    assert 'action="/prod/verify_email"' in home
    answer = browser.submit("/verify_email", {"csrf_token": _csrf(browser)})
    assert answer.headers["Location"] == f"{BASE_URL}/"
    assert "We sent a new link to your email address." in browser.follow(answer).body.decode()
    drain_queue()
    assert len(with_subject("Confirm")) == 1


def test_the_resend_button_needs_a_csrf_token(browser: Browser, susan: dict[str, Any]) -> None:
    assert log_in(browser).status_code == 303
    answer = post_form(
        browser.client,
        "/verify_email",
        {},
        "; ".join(f"{k}={v}" for k, v in browser.jar.items()),
    )
    assert answer.status_code == 400
    drain_queue()
    assert with_subject("Confirm") == []


def test_get_shows_one_confirm_button_and_changes_nothing(
    client: Client, browser: Browser, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    browser.submit("/verify_email", {"csrf_token": _csrf(browser)})
    token = _link_token()
    for _ in range(3):  # mail scanners open links
        page = browser.get(f"/verify_email/{token}")
        assert page.status_code == 200
        assert 'class="btn">Confirm</button>' in page.body.decode()
        assert 'name="csrf_token"' in page.body.decode()
        assert page.headers["Referrer-Policy"] == "no-referrer"
    assert not _verified(susan)
    done = browser.submit(f"/verify_email/{token}", {})
    assert done.headers["Location"] == f"{BASE_URL}/"
    home = browser.follow(done).body.decode()
    assert "Your email address is confirmed." in home
    assert "unconfirmed" not in home
    assert _verified(susan)


def _csrf(browser: Browser) -> str:
    html = browser.get("/").body.decode()
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def test_an_anonymous_visitor_confirms_and_is_sent_to_login(
    browser: Browser, client: Client
) -> None:
    sign_up(browser)
    token = _link_token()
    fresh = Browser(client)
    done = fresh.submit(f"/verify_email/{token}", {})
    assert done.headers["Location"] == f"{BASE_URL}/login"
    assert "Your email address is confirmed." in fresh.follow(done).body.decode()


def test_a_dead_link_explains_and_offers_a_new_one_to_a_logged_in_user(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    dead = browser.get("/verify_email/not-a-token")
    assert dead.status_code == 400
    assert "invalid, used or has expired" in dead.body.decode()
    assert "Log in" in dead.body.decode()
    assert log_in(browser).status_code == 303
    dead = browser.get("/verify_email/not-a-token")
    assert 'class="btn">Send me a new link</button>' in dead.body.decode()
    used = browser.submit("/verify_email/not-a-token", {})
    assert used.status_code == 400
    assert "invalid, used or has expired" in used.body.decode()


def test_a_used_link_says_the_address_is_confirmed_already(
    browser: Browser, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    browser.submit("/verify_email", {"csrf_token": _csrf(browser)})
    token = _link_token()
    assert browser.submit(f"/verify_email/{token}", {}).status_code == 303
    for again in (
        browser.get(f"/verify_email/{token}"),
        browser.submit(f"/verify_email/{token}", {}),
    ):
        assert again.status_code == 200
        page = again.body.decode()
        assert "Your email address is already confirmed." in page
        assert 'class="alert alert-success"' in page
        assert "invalid" not in page
        main = page.split("<main")[1].split("</main>")[0]
        assert "<form" not in main  # no button: nothing is left to do


def test_change_email_page_needs_login_and_the_password_then_the_link_moves_the_account(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    assert browser.get("/change_email").headers["Location"] == f"{BASE_URL}/login"
    assert log_in(browser).status_code == 303
    assert 'href="/prod/change_email"' in browser.get("/").body.decode()
    wrong = browser.submit("/change_email", {"email": "susan@new.example", "password": "nope!"})
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.body.decode()
    bad = browser.submit("/change_email", {"email": "jürgen@example.com", "password": PASSWORD})
    assert bad.status_code == 400
    assert "before the @" in bad.body.decode()
    settle_mail()
    done = browser.submit("/change_email", {"email": "susan@new.example", "password": PASSWORD})
    assert done.headers["Location"] == f"{BASE_URL}/"
    assert "Check the new address" in browser.follow(done).body.decode()
    token = _link_token()
    assert (
        breakable_address("susan@new.example")
        in browser.get(f"/verify_email/{token}").body.decode()
    )
    elsewhere = Browser(client)
    assert log_in(elsewhere).status_code == 303
    moved = browser.submit(f"/verify_email/{token}", {})
    # The switch ends every earlier session; the browser that confirmed gets a fresh one.
    assert moved.headers["Location"] == f"{BASE_URL}/"
    home = browser.follow(moved)
    assert home.status_code == 200
    assert "Your email address is confirmed." in home.body.decode()
    assert elsewhere.get("/").status_code == 303  # another browser signs in again
    again = elsewhere.submit("/login", {"username": "susan@new.example", "password": PASSWORD})
    assert again.headers["Location"] == f"{BASE_URL}/"


def test_a_link_to_an_address_taken_meanwhile_says_so(
    browser: Browser, client: Client, susan: dict[str, Any]
) -> None:
    assert log_in(browser).status_code == 303
    settle_mail()
    browser.submit("/change_email", {"email": "bob@example.com", "password": PASSWORD})
    token = _link_token()
    browser_bob = Browser(client)
    browser_bob.submit(
        "/register",
        {
            "username": "bob",
            "email": "bob@example.com",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    taken = browser.submit(f"/verify_email/{token}", {})
    assert taken.status_code == 409
    assert "belongs to another account" in taken.body.decode()
