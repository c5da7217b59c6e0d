"""Operator commands know their stage: each runs against `make dev`'s stage with nothing
exported, takes STAGE= from make, and answers each operator mistake in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.dev.procs import SHELL_VARIABLES, free_port
from ops.stages import PROJECT_DIR
from tests.helpers import devstack
from tests.helpers.web import RESET

# Every operator target, as the Makefile runs it (make passes --stage $(STAGE)).
TARGETS = {
    "dlq": "ops.admin.dlq",
    "suppressed": "ops.admin.suppression",
    "unsuppress": "ops.admin.suppression",
    "force-reset": "ops.admin.force_reset",
    "rotate-key": "ops.admin.rotate_key",
}


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the commands talk to a server, or to nothing."""


def run(dev_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command as an operator runs it: a shell's variables and make dev's DEV_DIR, no more."""
    env = {name: os.environ[name] for name in SHELL_VARIABLES if name in os.environ}
    return subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, "-m", *args],
        cwd=PROJECT_DIR,
        env={**env, "DEV_DIR": str(dev_dir)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [ln for ln in done.stderr.splitlines() if ln.strip()]
    return line


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devstack.DevStack]:
    running = devstack.start(tmp_path_factory.mktemp("operator"))
    yield running
    running.kill()


def test_every_operator_target_runs_against_make_devs_stage(stack: devstack.DevStack) -> None:
    body = {"username": "ada", "email": "ada@example.com", "password": "correct horse battery"}
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        f"{stack.base_url}/api/users",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert answer.status == 201
    dev = stack.dev_dir

    listed = run(dev, TARGETS["dlq"], "--stage", "local")
    assert listed.returncode == 0, listed.stderr
    assert "The dead-letter queue is empty." in listed.stderr
    suppressed = run(dev, TARGETS["suppressed"], "--stage", "local")
    assert "The suppression list is empty." in suppressed.stderr, suppressed.stderr
    removed = run(dev, TARGETS["unsuppress"], "--stage", "local", "--remove", "ada@example.com")
    assert removed.returncode == 1  # (not on the list)
    assert "a***@example.com was not on the suppression list" in removed.stderr

    before = stack.emails()
    reset = run(dev, TARGETS["force-reset"], "--stage", "local", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert "1 passwords voided, 1 reset emails queued" in reset.stderr
    mail = devstack.read_email(stack.wait_for_email(before))
    assert mail["Subject"] == "[Microblog] Reset your password"
    assert devstack.link(mail, RESET).startswith(f"{stack.base_url}/reset_password/")

    key = (dev / "secret_key").read_text()
    rotated = run(dev, TARGETS["rotate-key"], "--stage", "local")
    assert rotated.returncode == 0, rotated.stderr
    assert (dev / "secret_key_previous").read_text() == key


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_make_gives_every_operator_target_its_stage(target: str) -> None:
    done = subprocess.run(  # noqa: S603 (make's dry run: prints, runs nothing)
        ["make", "-n", target, "STAGE=local", "EMAIL=a@example.com"],  # noqa: S607
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    (command,) = [ln for ln in done.stdout.splitlines() if f"-m {TARGETS[target]}" in ln]
    assert "--stage local" in command


def test_force_reset_without_yes_and_without_a_terminal_refuses_in_one_line(
    tmp_path: Path,
) -> None:
    line = one_line(run(tmp_path, TARGETS["force-reset"], "--stage", "local"), code=2)
    assert line.startswith("force-reset refused: ")
    assert "YES=1" in line


def test_without_make_dev_running_the_local_stage_says_to_start_it(tmp_path: Path) -> None:
    (tmp_path / "emulator_port").write_text(f"{free_port()}\n")  # a stack that has stopped
    for target in ("dlq", "suppressed"):
        line = one_line(run(tmp_path, TARGETS[target], "--stage", "local"))
        assert "cannot reach http://127.0.0.1:" in line
        assert "start `make dev` first" in line


@pytest.mark.parametrize("target", ["dlq", "suppressed", "force-reset", "rotate-key"])
def test_a_stage_missing_from_the_config_is_one_line(target: str, tmp_path: Path) -> None:
    confirmed = ["--yes"] if target == "force-reset" else []
    line = one_line(run(tmp_path, TARGETS[target], "--stage", "staging", *confirmed))
    assert "no stage 'staging' in .chalice/config.json" in line
