"""Ops commands answer an operator's mistake with one clear line and exit 1 (DEBUG=1: traceback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ops.cli import explain
from ops.stages import PROJECT_DIR

# Every make target that talks to AWS, as the Makefile runs it.
COMMANDS = {
    "provision": ["ops.deploy.provision", "--stage", "dev"],
    "deploy": ["ops.deploy.deploy", "deploy", "--stage", "dev"],
    "destroy": ["ops.deploy.deploy", "destroy", "--stage", "dev"],
    "rotate-key": ["ops.admin.rotate_key", "--stage", "dev"],
    "dlq": ["ops.admin.dlq", "--stage", "dev"],
    "suppressed": ["ops.admin.suppression", "--stage", "dev"],
    "unsuppress": ["ops.admin.suppression", "--stage", "dev", "--remove", "a@example.com"],
    "force-reset": ["ops.admin.force_reset", "--yes", "--stage", "dev"],
}
ACTIONS = {  # the word each command's one line starts with
    "provision": "provisioning",
    "rotate-key": "rotation",
    "suppressed": "suppression",
    "unsuppress": "suppression",
}
BARE = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "PYTHONPATH": str(PROJECT_DIR)}
NO_AWS_FILES = {"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, "-m", *command],
        cwd=PROJECT_DIR,
        env={**BARE, **NO_AWS_FILES, "AWS_EC2_METADATA_DISABLED": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line(done: subprocess.CompletedProcess[str], action: str) -> str:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    # What the command was doing may come first; the mistake is one line, the last.
    assert [ln for ln in lines if "failed: " in ln] == [lines[-1]]
    assert lines[-1].startswith(f"{action} failed: ")
    return lines[-1]


@pytest.mark.parametrize("target", sorted(COMMANDS))
def test_no_credentials_is_one_line(target: str) -> None:
    done = _run(COMMANDS[target], {"AWS_DEFAULT_REGION": "eu-west-1"})
    assert "no AWS credentials" in _one_line(done, ACTIONS.get(target, target))


@pytest.mark.parametrize("target", ["provision", "suppressed", "dlq"])
def test_no_region_is_one_line(target: str) -> None:
    done = _run(COMMANDS[target], {})
    assert "no AWS region" in _one_line(done, ACTIONS.get(target, target))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_endpoint_is_one_line() -> None:
    env = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}",
        "AWS_MAX_ATTEMPTS": "1",
    }
    line = _one_line(_run(COMMANDS["provision"], env), "provisioning")
    assert "cannot reach http://127.0.0.1:" in line


@pytest.mark.parametrize("target", ["provision", "deploy", "rotate-key"])
def test_a_stage_missing_from_the_config_is_one_line(target: str) -> None:
    command = [*COMMANDS[target][:-1], "nope"]
    done = _run(command, {"AWS_DEFAULT_REGION": "us-east-1"})
    assert "no stage 'nope' in .chalice/config.json" in _one_line(done, ACTIONS.get(target, target))


def test_package_names_a_missing_stage_too(tmp_path: Path) -> None:
    done = _run(["ops.deploy.package", "--stage", "nope"], {"AWS_DEFAULT_REGION": "us-east-1"})
    assert "no stage 'nope'" in _one_line(done, "package")


def test_debug_shows_the_traceback_as_well() -> None:
    done = _run(COMMANDS["provision"], {"AWS_DEFAULT_REGION": "eu-west-1", "DEBUG": "1"})
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert "provisioning failed: no AWS credentials" in done.stderr


@pytest.mark.parametrize(
    ("code", "message", "says"),
    [
        ("ExpiredToken", "", "refused your credentials"),
        ("AccessDenied", "", "may not call CreateQueue"),
        ("MessageRejected", "Email address is not verified: a@x", "SES has not verified"),
        ("ResourceNotFoundException", "no table", "make provision STAGE=<stage>"),
        ("Weird", "odd", "AWS answered Weird to CreateQueue: odd"),
    ],
)
def test_client_errors_say_what_to_do(code: str, message: str, says: str) -> None:
    error = ClientError({"Error": {"Code": code, "Message": message}}, "CreateQueue")
    line = explain(error)
    assert line is not None
    assert says in line


def test_a_stage_without_a_key_says_where_the_key_comes_from() -> None:
    from chalicelib.errors import ConfigError

    line = explain(ConfigError("SECRET_KEY must be a random value of at least 32 characters"))
    assert line is not None
    assert "STAGE=" in line
    assert "SECRET_KEY_PARAMETER" in line


def test_anything_else_is_not_explained_away() -> None:
    assert explain(KeyError("bug")) is None
