"""What people see, in Debian's Chromium against `make dev`: at 1280 px and at a phone's 375 px,
in English and in Spanish, every page and state passes axe-core with no serious or critical
violation, never scrolls sideways and keeps its navigation on one row; emails fit a phone too.
Screenshots of each step land in build/test-artifacts/ (the states: tests/helpers/look.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.helpers import devstack
from tests.helpers.look import NEW_PASSWORD, PASSWORD, STATES, fill, register, spanish
from tests.helpers.web import RESET, VERIFY

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
ARTIFACTS = devstack.ROOT / "build" / "test-artifacts" / "look"
WIDTHS = {"desktop": (1280, 800), "phone": (375, 740)}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SERIOUS = {"serious", "critical"}
# The navigation's items share one row when the highest one starts above the lowest one's end.
ONE_ROW = """() => {
  const items = [...document.querySelectorAll('header.navbar nav > *')]
    .filter((item) => item.offsetWidth > 0 && item.offsetHeight > 0)
    .map((item) => item.getBoundingClientRect());
  return Math.max(...items.map((box) => box.top)) < Math.min(...items.map((box) => box.bottom));
}"""


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the stack runs its own moto server process."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devstack.DevStack]:
    running = devstack.start(tmp_path_factory.mktemp("look"))
    try:
        yield running
    finally:
        running.kill()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Browser, stack: devstack.DevStack) -> Iterator[Page]:
    context = chromium.new_context(base_url=stack.base_url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def check(tab: Page, name: str) -> None:
    """axe and the width test at both widths, with a screenshot of each."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        tab.set_viewport_size({"width": width, "height": height})
        tab.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
        scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name} is {scroll} px wide at {width} px"
        assert tab.evaluate(ONE_ROW), f"{name}: the navigation wraps at {width} px"
        violations = Axe().run(tab).response["violations"]
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in violations
            if v["impact"] in SERIOUS
        ]
        assert serious == [], f"{name} at {width} px: {serious}"
    tab.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("state", sorted(STATES))
def test_every_page_is_accessible_and_fits_a_phone(tab: Page, state: str) -> None:
    STATES[state](tab)
    check(tab, state)


def email_fits_a_phone(tab: Page, message: EmailMessage, name: str) -> None:
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    tab.set_viewport_size({"width": 375, "height": 740})
    tab.goto("about:blank")  # out of our pages' CSP, which would block the email's inline styles
    tab.set_content(str(html.get_content()))
    tab.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the {name} is {scroll} px wide on a phone"
    tab.set_viewport_size(DESKTOP)


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
