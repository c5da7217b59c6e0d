"""The owner's controls walked as an owner would, in Debian's Chromium against `make dev`: two
devices signed in, one signed out from the other's /security page; then an intruder changes
the password, and the owner follows the notice's "this wasn't me" link, gets the account back
through the reset link it mails, and signs in with a password of their own."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import devstack
from tests.helpers.chromium import check, device, email_fits_a_phone
from tests.helpers.look import (
    NEW_PASSWORD,
    PASSWORD,
    confirmed,
    fill,
    mail_to,
    not_me_link,
    password_notice,
)
from tests.helpers.web import RESET

OWNER = "octavia"
ADDRESS = f"{OWNER}@example.com"
OWN_PASSWORD = "a password of octavia's own, at last"
AT_LOGIN = re.compile(r"/login(\?.*)?$")
SIGN_IN_REFUSED = "Invalid username or password."


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the stack (tests/web/conftest.py) runs its own."""


@pytest.fixture
def second_device(chromium: Browser, stack: devstack.DevStack) -> Iterator[Page]:
    """Another browser context of the same browser: its own cookies, as another device."""
    with device(chromium, stack.base_url) as page:
        yield page


def sign_in(tab: Page, password: str) -> None:
    tab.goto("/login")
    fill(tab, {"username": OWNER, "password": password}, "Sign In")


def test_an_owner_ends_a_session_then_takes_the_account_back_from_an_intruder(
    tab: Page, second_device: Page, stack: devstack.DevStack
) -> None:
    device_a, device_b = tab, second_device
    confirmed(device_a, stack, OWNER)
    sign_in(device_b, PASSWORD)
    expect(device_b.get_by_role("heading", name=f"Hi, {OWNER}!")).to_be_visible()

    device_a.goto("/security")
    sessions = device_a.locator("ul.sessions > li")
    expect(sessions).to_have_count(2)
    check(device_a, "security-two-sessions")
    expect(sessions.filter(has_text="This device")).to_have_count(1)
    other = sessions.filter(has_not_text="This device")
    other.get_by_role("button", name="Sign out").click()
    expect(device_a.get_by_role("status")).to_have_text("That session is signed out.")
    expect(sessions).to_have_count(1)
    check(device_a, "security-one-session")
    device_b.goto("/")
    expect(device_b).to_have_url(AT_LOGIN)

    # The intruder, on device B, signs in again and changes the password.
    sign_in(device_b, PASSWORD)
    notice = password_notice(device_b, stack, ADDRESS, "Change Password")
    expect(device_b.get_by_role("status")).to_have_text("Your password has been changed.")
    link = not_me_link(notice)
    email_fits_a_phone(device_a, notice, "password-changed-email")

    device_a.goto(link)
    main = device_a.get_by_role("main")
    expect(main.get_by_role("button")).to_have_count(1)
    check(device_a, "secure-account-walk")
    before = stack.emails()
    main.get_by_role("button", name="Secure my account").click()
    expect(device_a).to_have_url(AT_LOGIN)
    expect(device_a.get_by_role("status")).to_contain_text("Your account is secured")
    check(device_a, "account-secured")

    device_b.goto("/")
    expect(device_b).to_have_url(AT_LOGIN)
    for password in (PASSWORD, NEW_PASSWORD):
        sign_in(device_b, password)
        expect(device_b.get_by_role("alert")).to_contain_text(SIGN_IN_REFUSED)
    reset = mail_to(stack, before, ADDRESS)
    assert "Reset your password" in reset["Subject"]

    device_a.goto(devstack.link(reset, RESET))
    fill(device_a, {"password": OWN_PASSWORD, "password2": OWN_PASSWORD}, "Reset Password")
    expect(device_a).to_have_url(AT_LOGIN)
    sign_in(device_a, OWN_PASSWORD)
    expect(device_a.get_by_role("heading", name=f"Hi, {OWNER}!")).to_be_visible()
    device_a.goto(link)  # spent: a dead link now
    expect(device_a.get_by_role("main").get_by_role("button")).to_have_count(0)
