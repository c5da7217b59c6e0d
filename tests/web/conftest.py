"""Fixtures of the web tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from chalicelib.auth.keys import get_keyring
from chalicelib.settings import get_settings
from tests.helpers import devstack
from tests.helpers.chromium import ARGS, CHROMIUM, device


def _reload_keys() -> None:
    """Read the keys again, here: the test client's requests run in the stage's environment
    from .chalice/config.json, which is not the tests' (tests/helpers/environment.py)."""
    get_settings.cache_clear()
    get_keyring.cache_clear()
    get_keyring()


@pytest.fixture
def rotate_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Rotates the signing key as `make rotate-key` does: a fresh current key, and the one it
    replaces kept as the previous key (the key before that is dropped)."""

    def rotate() -> None:
        monkeypatch.setenv("SECRET_KEY_PREVIOUS", os.environ["SECRET_KEY"])
        monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
        _reload_keys()

    yield rotate
    monkeypatch.undo()
    _reload_keys()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devstack.DevStack]:
    """`make dev` on free ports, one per browser test module (test_look.py, test_owner_walk.py;
    each overrides conftest's in-process moto: the stack runs its own moto server)."""
    running = devstack.start(tmp_path_factory.mktemp("dev"))
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
    """A fresh browser context (no cookies) on the stack, at desktop width."""
    with device(chromium, stack.base_url) as page:
        yield page
