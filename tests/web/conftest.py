"""Fixtures of the web tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import pytest

from chalicelib.auth.keys import get_keyring
from chalicelib.settings import get_settings


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
