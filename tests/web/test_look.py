"""What people see, in Debian's Chromium against `make dev`: at 1280 px and at a phone's 375 px,
in English and in Spanish, every page and state passes axe-core with no serious or critical
violation, never scrolls sideways and keeps its navigation on one row; emails fit a phone too.
Screenshots of each step land in build/test-artifacts/ (the states: tests/helpers/look.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.helpers import devstack
from tests.helpers.chromium import check, email_fits_a_phone
from tests.helpers.look import (
    MAILED_STATES,
    NEW_PASSWORD,
    PASSWORD,
    STATES,
    fill,
    register,
    spanish,
)
from tests.helpers.web import RESET, VERIFY


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the stack (tests/web/conftest.py) runs its own."""


@pytest.mark.parametrize("state", sorted(STATES))
def test_every_page_is_accessible_and_fits_a_phone(tab: Page, state: str) -> None:
    STATES[state](tab)
    check(tab, state)


@pytest.mark.parametrize("state", sorted(MAILED_STATES))
def test_every_page_behind_an_emailed_link_is_accessible_and_fits_a_phone(
    tab: Page, stack: devstack.DevStack, state: str
) -> None:
    MAILED_STATES[state](tab, stack)
    check(tab, state)


def test_the_confirmation_pages_and_email_fit_a_phone(tab: Page, stack: devstack.DevStack) -> None:
    before = stack.emails()
    register(tab, "hedy")
    message = devstack.read_email(stack.wait_for_email(before))
    fill(tab, {"username": "hedy", "password": PASSWORD}, "Sign In")
    check(tab, "home-unconfirmed")
    tab.goto("/change_email")
    check(tab, "change-email")
    before = stack.emails()
    new_address = "hedy.lamarr.frequency-hopping@a-rather-long-domain-name.example"
    fill(tab, {"email": new_address, "password": PASSWORD}, "Change Email")
    tab.get_by_role("button", name="Cancel the change").wait_for()
    check(tab, "home-pending-change")
    email_fits_a_phone(tab, devstack.read_email(stack.wait_for_email(before)), "change-email-email")
    tab.goto("/")
    link = devstack.link(message, VERIFY)
    tab.goto(link)
    check(tab, "verify-email")
    tab.get_by_role("button", name="Confirm").click()
    tab.goto(link)  # used: the address is confirmed already
    tab.get_by_text("Your email address is already confirmed.").wait_for()
    check(tab, "verify-email-already-confirmed")
    spanish(tab)
    tab.goto(link)
    tab.get_by_text("Tu dirección de correo ya está confirmada.").wait_for()
    check(tab, "es-verify-email-already-confirmed")
    tab.goto("/verify_email/not-a-token")
    check(tab, "es-verify-email-dead-link-signed-in")
    email_fits_a_phone(tab, message, "verify-email-email")


def test_the_reset_page_and_its_email_fit_a_phone(tab: Page, stack: devstack.DevStack) -> None:
    before = stack.emails()
    register(tab, "ada")
    stack.wait_for_email(before)  # the confirmation link registration sends
    before = stack.emails()
    tab.goto("/reset_password_request")
    fill(tab, {"email": "ada@example.com"}, "Request Password Reset")
    message = devstack.read_email(stack.wait_for_email(before))
    tab.goto(devstack.link(message, RESET))
    check(tab, "reset-form")
    fill(tab, {"password": NEW_PASSWORD, "password2": "not the same at all"}, "Reset Password")
    check(tab, "reset-mismatch")
    email_fits_a_phone(tab, message, "reset-email")


def test_a_capped_form_keeps_what_was_typed_and_says_how_long(tab: Page) -> None:
    """Last: it spends this client's registrations for the hour (every earlier test is done)."""
    fields = {"email": "zoe@example.com", "password": PASSWORD, "password2": PASSWORD}
    for attempt in range(25):
        tab.goto("/register")
        fill(tab, {**fields, "username": f"zoe{attempt}"}, "Register")
        if tab.get_by_role("alert").count():
            break
    tab.get_by_text("You can try again in").wait_for()
    check(tab, "register-capped")
    spanish(tab)
    fill(tab, {"username": "zoe", **fields}, "Registrarse")
    tab.get_by_text("Puedes volver a intentarlo dentro de").wait_for()
    check(tab, "es-register-capped")


def test_the_artifacts_directory_is_ignored_by_git() -> None:
    assert "build/" in (devstack.ROOT / ".gitignore").read_text().splitlines()
