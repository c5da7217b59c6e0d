"""The site's name and help link are settings: every page, subject and email says them, and
nothing says "Microblog" once another name is set."""

from __future__ import annotations

from collections.abc import Callable
from email.header import decode_header, make_header
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.brand import Brand, brand
from chalicelib.errors import ConfigError
from chalicelib.mail_settings import mail_settings
from chalicelib.web import not_found
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import (
    RESET,
    VERIFY,
    SentMail,
    clear_sent_mail,
    drain_queue,
    sent_mail,
    subject_of,
    token_from,
)
from tests.helpers.web import Browser, sign_up

OTHER = "Bitácora"
HELP = "https://help.example.org/accounts"


def test_the_name_is_microblog_and_there_is_no_help_link_by_default() -> None:
    assert brand({}, development=False) == Brand("Microblog", "")
    assert mail_settings({}, "q", "t").sender_name == "Microblog"


def test_the_sender_is_named_after_the_site_unless_named_itself() -> None:
    assert mail_settings({"SITE_NAME": OTHER}, "q", "t").sender_name == OTHER
    named = {"SITE_NAME": OTHER, "MAIL_SENDER_NAME": "Accounts desk"}
    assert mail_settings(named, "q", "t").sender_name == "Accounts desk"


@pytest.mark.parametrize(
    "env",
    [
        {"SITE_NAME": "x" * 61},
        {"SITE_NAME": "Evil\u200bsite"},  # not printable: it goes into mail headers
        {"SUPPORT_URL": "javascript:alert(1)"},
        {"SUPPORT_URL": "http://help.example.org/"},  # https outside development
        {"SUPPORT_URL": "https://"},
    ],
)
def test_an_unusable_name_or_help_link_is_refused(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        brand(env, development=False)


def test_a_help_link_may_be_a_mail_address_and_a_name_is_one_line() -> None:
    found = brand({"SITE_NAME": "  Our\n site ", "SUPPORT_URL": "mailto:help@example.org"}, False)
    assert found == Brand("Our site", "mailto:help@example.org")


def _says_our_brand(name: str, text: str) -> None:
    assert "Microblog" not in text, name
    assert OTHER in text, name


def _newest(word: str) -> SentMail:
    """The latest email whose subject (decoded: the name is not ASCII) holds `word`."""
    drain_queue()
    return [mail for mail in sent_mail() if word in subject_of(mail)][-1]


def _pages(browser: Browser) -> dict[str, Any]:
    """Every page and state a visitor meets, from registering to a changed address."""
    fields = {"username": "susan", "email": "susan@example.com"}
    pages = {
        "register": browser.get("/register"),
        "register errors": browser.submit("/register", {"username": "x!", "password": "a"}),
        "registered": browser.follow(
            browser.submit("/register", {**fields, "password": PASSWORD, "password2": PASSWORD})
        ),
        "forged form": browser.submit("/login", {"csrf_token": "forged"}),
        "wrong method": browser.client.http.request("DELETE", "/login", headers={}, body=b""),
        "dead confirmation link": browser.get("/verify_email/not-a-token"),
    }
    token = token_from(_newest("Confirm"), VERIFY)
    pages["confirm"] = browser.get(f"/verify_email/{token}")
    pages["confirmed"] = browser.follow(browser.submit(f"/verify_email/{token}", {}))
    login = {"username": "susan", "password": PASSWORD}
    pages["home"] = browser.follow(browser.submit("/login", login))
    pages["change password"] = browser.get("/change_password")
    changed = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    pages["password changed"] = browser.follow(browser.submit("/change_password", changed))
    pages["change email"] = browser.get("/change_email")
    moved = {"email": "susan@example.org", "password": NEW_PASSWORD}
    pages["change requested"] = browser.follow(browser.submit("/change_email", moved))
    token = token_from(_newest("Confirm"), VERIFY)
    pages["change confirmed"] = browser.follow(browser.submit(f"/verify_email/{token}", {}))
    pages["log out"] = browser.get("/logout")
    pages["logged out"] = browser.follow(browser.submit("/logout", {}))
    pages["reset request"] = browser.get("/reset_password_request")
    sent = browser.submit("/reset_password_request", {"email": "susan@example.org"})
    pages["reset sent"] = browser.follow(sent)
    pages["dead reset link"] = browser.follow(browser.get("/reset_password/not-a-token"))
    token = token_from(_newest("Reset"), RESET)
    pages["reset form"] = browser.get(f"/reset_password/{token}")
    return pages


def _decoded(header: str) -> str:
    return str(make_header(decode_header(header)))


def _mail_text(mail: SentMail) -> str:
    return "\n".join(
        [subject_of(mail), _decoded(mail.message["From"]), mail.part("plain"), mail.part("html")]
    )


def test_every_page_and_email_says_the_sites_own_name(
    client: Client, environment: Callable[..., None]
) -> None:
    environment(SITE_NAME=OTHER, SUPPORT_URL=HELP)
    clear_sent_mail()
    for name, response in _pages(Browser(client)).items():
        page = response.body.decode()
        _says_our_brand(name, page)
        assert f'href="{HELP}"' in page, name
    mails = sent_mail()
    # confirm (twice: the address, then the new one), changed, change requested, moved, reset
    assert len(mails) == 6
    assert len({subject_of(mail) for mail in mails}) == 5
    for mail in mails:
        _says_our_brand(subject_of(mail), _mail_text(mail))
        assert subject_of(mail).startswith(f"[{OTHER}] ")
        assert _decoded(mail.message["From"]) == f"{OTHER} <no-reply@example.com>"
        assert HELP in mail.part("plain")
        assert f'href="{HELP}"' in mail.part("html")


def test_without_a_help_link_no_page_or_email_offers_one(browser: Browser) -> None:
    page = browser.get("/login").body.decode()
    assert 'class="support"' not in page
    sign_up(browser)
    drain_queue()
    (mail,) = sent_mail()
    assert "Help:" not in mail.part("plain")
    assert "Help:" not in mail.part("html")


def test_the_not_found_page_says_the_sites_own_name() -> None:
    _says_our_brand("not found", not_found.page("https://accounts.example.org", OTHER))
