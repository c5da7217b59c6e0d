"""A client generated from the served OpenAPI document with openapi-python-client works as is:
register, sign in, read the account, ask for a reset, and read a failure as a typed code."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from chalice.test import Client

from tests.helpers.chalice_transport import ChaliceTransport
from tests.helpers.environment import BASE_URL, PASSWORD

PACKAGE = "accounts_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def _generate(served: bytes, into: Path) -> None:
    """openapi-python-client's package for the document (no formatting hooks: faster)."""
    (into / "openapi.json").write_bytes(served)
    (into / "config.yaml").write_text("post_hooks: []\n")
    result = subprocess.run(  # noqa: S603 (the virtualenv's own generator)
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(into / "openapi.json"),
            "--output-path",
            str(into / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(into / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.fixture
def generated(client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The generated package, imported (its modules reached as attributes of `generated`)."""
    _generate(client.http.get("/api/openapi.json").body, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        monkeypatch.delitem(sys.modules, name)

    def module(name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{name}")

    return module


def test_a_generated_client_registers_signs_in_and_asks_for_a_reset(
    client: Client, generated: Any
) -> None:
    package, models = generated("client"), generated("models")
    register, get_me = generated("api.accounts.register"), generated("api.accounts.get_me")
    create_token = generated("api.tokens.create_token")
    request_reset = generated("api.password_reset.request_password_reset")
    transport = {"transport": ChaliceTransport(client, BASE_URL)}
    api = package.Client(base_url=BASE_URL, httpx_args=transport)

    body = models.RegisterBody(username="ada", email="ada@example.com", password=PASSWORD)
    created = register.sync_detailed(client=api, body=body)
    assert created.status_code == 201
    assert isinstance(created.parsed, models.User)
    assert created.parsed.email_verified is False
    assert created.headers["Location"] == f"{BASE_URL}/api/users/me"

    token = create_token.sync(
        client=api, body=models.CreateTokenBody(username="ada", password=PASSWORD)
    )
    assert isinstance(token, models.Token)
    signed_in = package.AuthenticatedClient(
        base_url=BASE_URL, token=token.access_token, httpx_args=transport
    )
    me = get_me.sync(client=signed_in)
    assert isinstance(me, models.User)
    assert (me.username, me.locale) == ("ada", models.UserLocale.EN)

    asked = request_reset.sync_detailed(
        client=api, body=models.RequestPasswordResetBody(email="ada@example.com")
    )
    assert asked.status_code == 202
    assert isinstance(asked.parsed, models.Message)


def test_a_generated_client_reads_each_failure_as_a_typed_code(
    client: Client, generated: Any
) -> None:
    package, models = generated("client"), generated("models")
    register = generated("api.accounts.register")
    api = package.Client(
        base_url=BASE_URL, httpx_args={"transport": ChaliceTransport(client, BASE_URL)}
    )
    weak = register.sync(
        client=api, body=models.RegisterBody(username="ada", email="ada@example.com", password="x")
    )
    assert isinstance(weak, models.Problem)
    assert weak.error is models.ProblemError.PASSWORD_TOO_SHORT
    assert weak.field == "password"
    assert weak.status == 400
