"""Fixtures: the test environment, moto for every test, a Chalice client, a browser, logs.

Helpers live in named modules under tests/helpers/; only fixtures are here.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from chalice.test import Client
from moto import mock_aws

from chalicelib.auth.keys import get_keyring
from chalicelib.settings import get_settings
from ops.deploy.provision import provision
from tests.helpers import inflight, kms_keys, serial_moto  # noqa: F401 - they register on import
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import PASSWORD, TEST_ENV
from tests.helpers.hashing import Work, argon2_work
from tests.helpers.inbox import settle_mail
from tests.helpers.project import copy_project
from tests.helpers.web import Browser, post_json

# Before app.py is first imported (by the client fixture or a test module): its event
# sources are named from the environment at import, as Chalice needs them then.
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.update(TEST_ENV)


# Hourly caps count fixed windows. A test that began in an hour's last minutes could see its
# counters start over halfway, so such a test runs in the next hour instead (time moves on).
WINDOW_MARGIN_SECONDS = 600


@pytest.fixture(autouse=True)
def clear_of_hour_edges() -> Iterator[None]:
    now = time.time()
    if 3600 - now % 3600 > WINDOW_MARGIN_SECONDS:
        yield
        return
    with time_machine.travel(now - now % 3600 + 3601, tick=True):
        yield


@pytest.fixture(autouse=True)
def aws_env() -> Iterator[None]:
    """A fresh moto account per test, provisioned like a real stage."""
    with mock_aws():
        provision(get_settings())
        yield
    AWS_CALLS.recording = False
    assert not serial_moto.write_in_progress(), "a DynamoDB write never ended (serial_moto)"


def _read_settings_again() -> None:
    """Settings and the keyring are read once per container: read them again, now (the
    Chalice test client puts its stage's variables in the environment during each request)."""
    get_settings.cache_clear()
    get_keyring.cache_clear()
    get_settings()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Change environment variables for one test, as a new container would see them: call
    it with NAME="value" (None removes one); settings are read again, and again afterwards."""

    def change(**values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        _read_settings_again()

    yield change
    monkeypatch.undo()
    _read_settings_again()


@pytest.fixture
def production_hashing(environment: Callable[..., None]) -> None:
    """Production's argon2 parameters (their defaults) for a test that measures hashing."""
    environment(
        APP_ENV="production", ARGON2_TIME_COST=None, ARGON2_MEMORY_KIB=None, ARGON2_PARALLELISM=None
    )


@pytest.fixture
def argon2_verifications() -> Iterator[Work]:
    """Every argon2 verification run from now on, with its parameters (argon2-cffi's own
    PasswordHasher.verify, counted: it is what a refused login must not reach)."""
    with argon2_work("verify") as verified:
        yield verified


@pytest.fixture
def client() -> Iterator[Client]:
    import app as app_module

    with Client(app_module.app) as test_client:
        yield test_client


@pytest.fixture
def susan(client: Client) -> dict[str, Any]:
    """A registered user (through the API), her verification email delivered and forgotten:
    tests start with an empty inbox and queue. Her address is still unverified."""
    response = post_json(
        client,
        "/api/users",
        {"username": "susan", "email": "Susan@Example.com", "password": PASSWORD},
    )
    assert response.status_code == 201, response.body
    settle_mail()
    return dict(response.json_body)


@pytest.fixture
def browser(client: Client) -> Browser:
    return Browser(client)


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """A reader of every JSON log line the app wrote since the test began, parsed."""
    from chalicelib.logs import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.service)
    target.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        target.removeHandler(handler)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the Chalice project (see copy_project)."""
    return copy_project(tmp_path / "project")
