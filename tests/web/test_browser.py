"""A person's story in a real browser (Debian's Chromium via Playwright) against `make dev`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.helpers import devstack
from tests.helpers.web import RESET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OLD_PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "tr0ub4dor & 3 new horses"


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the stack runs its own moto server process."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Run `make browser` (apt-get install -y chromium); never a downloaded browser."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[tuple[Page, devstack.DevStack]]:
    stack = devstack.start(tmp_path)
    context = browser.new_context(base_url=stack.base_url)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page(), stack
    finally:
        context.close()
        stack.kill()


def submit(page: Page, fields: dict[str, str], button: str) -> None:
    for name, value in fields.items():
        page.locator(f"input[name='{name}']").fill(value)
    page.get_by_role("button", name=button).click()


def test_register_forget_reset_and_log_in_again(
    page: tuple[Page, devstack.DevStack], tmp_path: Path
) -> None:
    tab, stack = page
    flash = tab.get_by_role("status")

    tab.goto("/register")
    expect(tab).to_have_title("Register - Microblog")
    before_registering = stack.emails()
    submit(
        tab,
        {
            "username": "ada",
            "email": "ada@example.com",
            "password": OLD_PASSWORD,
            "password2": OLD_PASSWORD,
        },
        "Register",
    )
    expect(tab).to_have_url(f"{stack.base_url}/login")
    expect(flash).to_have_text(
        "Congratulations, you are now a registered user! "
        "Please check your email for a link that confirms your address."
    )
    verify_mail = devstack.read_email(stack.wait_for_email(before_registering))
    assert verify_mail["Subject"] == "[Microblog] Confirm your email address"
    submit(tab, {"username": "ada", "password": OLD_PASSWORD}, "Sign In")
    expect(tab.get_by_role("heading")).to_have_text("Hi, ada!")
    expect(tab.get_by_text("is unconfirmed")).to_be_visible()
    tab.get_by_role("button", name="Logout").click()
    expect(flash).to_have_text("You have been logged out.")

    # The login page offers the way back in.
    expect(tab.get_by_text("Forgot Your Password?")).to_be_visible()
    tab.get_by_role("link", name="Click to Reset It").click()
    expect(tab).to_have_url(f"{stack.base_url}/reset_password_request")
    before = stack.emails()
    submit(tab, {"email": "ada@example.com"}, "Request Password Reset")
    expect(tab).to_have_url(f"{stack.base_url}/reset_password_request/sent")
    expect(tab.get_by_role("heading")).to_have_text("Check Your Email")
    expect(tab.get_by_text("If an account uses ada@example.com")).to_be_visible()
    tab.screenshot(path=tmp_path / "1-reset-requested.png", full_page=True)

    link = devstack.link(devstack.read_email(stack.wait_for_email(before)), RESET)
    assert link.startswith(f"{stack.base_url}/reset_password/")
    tab.goto(link)
    expect(tab.get_by_role("heading")).to_have_text("Reset Your Password")
    submit(tab, {"password": NEW_PASSWORD, "password2": "not the same at all"}, "Reset Password")
    expect(tab.get_by_text("Passwords must match.")).to_be_visible()
    tab.screenshot(path=tmp_path / "2-mismatch.png", full_page=True)
    submit(tab, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}, "Reset Password")
    expect(tab).to_have_url(f"{stack.base_url}/login")
    expect(flash).to_have_text("Your password has been reset.")

    submit(tab, {"username": "ada", "password": OLD_PASSWORD}, "Sign In")
    expect(tab.get_by_text("Invalid username or password")).to_be_visible()
    submit(tab, {"username": "ada", "password": NEW_PASSWORD}, "Sign In")
    expect(tab.get_by_role("heading")).to_have_text("Hi, ada!")
    tab.screenshot(path=tmp_path / "3-logged-in.png", full_page=True)
