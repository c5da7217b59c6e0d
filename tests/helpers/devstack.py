"""Run `python -m ops.dev` as a developer would, on free ports, with its state in a temp dir.

Shared by the HTTP (test_dev.py) and browser (test_browser.py) end-to-end tests.
"""

from __future__ import annotations

import contextlib
import email
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from ops.dev.devconsole import BANNER
from ops.dev.procs import dev_stack_environment, free_port
from tests.helpers.web import link_in

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0
# The waits below bound a broken stack; a working one answers in well under a second, but two
# stacks (pytest -n) beside other work on two cores can take seconds.


def descendants(pid: int) -> dict[int, str]:
    """{pid: command line} of every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                cmdline = (Path("/proc") / str(child) / "cmdline").read_bytes()
            except OSError:
                continue
            found[child] = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while /proc knows the pid (a zombie counts: nobody reaped it)."""
    return (Path("/proc") / str(pid)).exists()


@dataclass
class DevStack:
    """One running `python -m ops.dev`."""

    proc: subprocess.Popen[bytes]
    port: int
    emulator_port: int
    dev_dir: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def outbox(self) -> Path:
        return self.dev_dir / "outbox"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def emails(self) -> set[Path]:
        return set(self.outbox.glob("*.eml"))

    def wait_for_email(self, before: set[Path], timeout: float = 30.0) -> Path:
        """The first .eml that was not in `before`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = sorted(self.emails() - before)
            if new:
                return new[0]
            time.sleep(0.005)
        raise AssertionError(f"no email in {self.outbox} after {timeout} s\n{self.log()}")

    def wait_for_log(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never printed\n{self.log()}")
            time.sleep(0.02)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """Last resort for a failed test: no process may outlive it."""
        pids = descendants(self.proc.pid)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def start(tmp: Path) -> DevStack:
    """Start ops.dev as `make dev` does; return once the API answers and the banner is out."""
    dev_dir = tmp / "dev-state"
    log_path = tmp / "ops-dev.log"
    port, emulator_port = free_port(), free_port()
    while emulator_port == port:
        emulator_port = free_port()
    env = dev_stack_environment(dev_dir, port, emulator_port)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ops.dev"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stack = DevStack(proc, port, emulator_port, dev_dir, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"ops.dev exited with {proc.returncode}:\n{stack.log()}")
        try:
            health = f"{stack.base_url}/api/health"
            with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310 - http://
                if response.status == 200:
                    stack.wait_for_log(BANNER)
                    return stack
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            stack.kill()
            pytest.fail(f"ops.dev not healthy after {STARTUP_TIMEOUT} s:\n{stack.log()}")
        time.sleep(0.05)


def read_email(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def link(message: EmailMessage, route: str) -> str:
    """The email's link to `route` (web.RESET or web.VERIFY), token included."""
    return link_in(text_body(message), route)
