"""Debian's Chromium through Playwright against `make dev`: what a page or an email must pass
at a desktop's 1280 px and a phone's 375 px (axe-core with no serious or critical violation, no
sideways scrolling, the navigation on one row), with a screenshot of each in
build/test-artifacts/look/. Used by the look tests and the owner's walk (tests/web/)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize

from tests.helpers import devstack

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


@contextmanager
def device(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser context (its own cookies: another device) on `base_url`, at desktop
    width, closed afterwards."""
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
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


def email_fits_a_phone(tab: Page, message: EmailMessage, name: str) -> None:
    """The email's HTML part, alone in the tab at 375 px, never scrolls sideways."""
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 375, "height": 740})
    tab.goto("about:blank")  # out of our pages' CSP, which would block the email's inline styles
    tab.set_content(str(html.get_content()))
    tab.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the {name} is {scroll} px wide on a phone"
    tab.set_viewport_size(DESKTOP)
