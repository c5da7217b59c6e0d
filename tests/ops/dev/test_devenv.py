"""The environment `make dev` gives chalice local and the in-process worker."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from chalicelib.settings import load_settings
from ops.dev.devenv import ROOT, DevConfigError, dev_secret, plan, stage_environment


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: planning touches no AWS at all."""


def test_defaults_start_the_emulator_with_dummy_credentials(tmp_path: Path) -> None:
    dev = plan({"PATH": "/usr/bin", "DEV_DIR": str(tmp_path)})
    assert dev.emulator_port == 4566
    assert dev.endpoint == "http://127.0.0.1:4566"
    assert dev.port == 8000
    env = dev.env
    assert env["AWS_ENDPOINT_URL"] == dev.endpoint
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["APP_ENV"] == "development"
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    assert env["ADMINS"] == "no-reply@example.com"
    assert env["PATH"] == "/usr/bin"
    assert dev.outbox_dir == tmp_path / "outbox"
    # What the app reads from it is a valid development configuration.
    settings = load_settings(env)
    assert settings.development
    assert settings.users_table == "microblog-local-users"
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_the_local_stage_wins_as_in_chalice_local(tmp_path: Path) -> None:
    stage = stage_environment(ROOT)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert stage["MAIL_QUEUE"] == config["stages"]["local"]["environment_variables"]["MAIL_QUEUE"]
    assert (
        stage["RESET_TOKEN_TTL_SECONDS"]
        == config["environment_variables"]["RESET_TOKEN_TTL_SECONDS"]
    )
    env = plan({"DEV_DIR": str(tmp_path), "USERS_TABLE": "mine", "APP_ENV": "production"}).env
    assert env["USERS_TABLE"] == stage["USERS_TABLE"] != "mine"
    assert env["APP_ENV"] == "development"


def test_given_values_are_honoured(tmp_path: Path) -> None:
    env = plan(
        {
            "DEV_DIR": str(tmp_path),
            "PORT": "9001",
            "EMULATOR_PORT": "5001",
            "SECRET_KEY": "from-the-developer",
            "PUBLIC_BASE_URL": "http://dev.example.test:9001",
            "ADMINS": "me@example.com",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "their-own",
            "AWS_REGION": "eu-west-1",
        }
    ).env
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5001"
    assert env["PORT"] == "9001"
    assert env["SECRET_KEY"] == "from-the-developer"
    assert env["PUBLIC_BASE_URL"] == "http://dev.example.test:9001"
    assert env["ADMINS"] == "me@example.com"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("AKIAEXAMPLE", "their-own")
    assert "AWS_DEFAULT_REGION" not in env
    assert not (tmp_path / "secret_key").exists()


def test_an_endpoint_given_means_no_emulator_and_no_dummy_credentials(tmp_path: Path) -> None:
    dev = plan({"DEV_DIR": str(tmp_path), "AWS_ENDPOINT_URL": "http://localhost:4566"})
    assert dev.emulator_port is None
    assert dev.endpoint == "http://localhost:4566"
    assert "AWS_ACCESS_KEY_ID" not in dev.env
    assert "AWS_DEFAULT_REGION" not in dev.env


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = plan({"DEV_DIR": str(tmp_path)}).env["SECRET_KEY"]
    again = plan({"DEV_DIR": str(tmp_path)}).env["SECRET_KEY"]
    assert first == again == dev_secret(tmp_path)
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert plan({"DEV_DIR": str(tmp_path / "other")}).env["SECRET_KEY"] != first


def test_an_empty_secret_file_gets_a_fresh_secret(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("\n")
    assert len(dev_secret(tmp_path)) >= 32


@pytest.mark.parametrize(
    "env",
    [{"PORT": "http"}, {"PORT": "70000"}, {"EMULATOR_PORT": "0"}, {"PORT": "4566"}],
)
def test_bad_ports_are_refused(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(DevConfigError):
        plan({"DEV_DIR": str(tmp_path), **env})
