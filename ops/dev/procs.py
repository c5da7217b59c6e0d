"""Child processes and ports for `make dev`: spawn, stop without orphans, wait for HTTP."""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ops.dev.devenv import HOST

# What a child started "as a developer would" inherits: only what a shell gives a developer,
# never the caller's AWS_*, SECRET_KEY or table names.
SHELL_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")

STOP_TIMEOUT = 5.0
_PR_SET_PDEATHSIG = 1

log = logging.getLogger("dev")


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it if this process dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    argv: list[str], env: dict[str, str], cwd: Path, log_path: Path | None, pipe: bool = False
) -> subprocess.Popen[bytes]:
    """A child in its own process group (the terminal's Ctrl-C reaches only us; we stop it).

    Its output goes to `log_path`, to a pipe we read (`pipe`), or to our own terminal.
    """
    output = open(log_path, "wb") if log_path else None  # noqa: SIM115 - the child keeps it
    target: Any = subprocess.PIPE if pipe else output
    try:
        return subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=target,
            stderr=subprocess.STDOUT if target else None,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    finally:
        if output:
            output.close()


def terminate(name: str, proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group, wait, SIGKILL if it lingers; always reap."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        log.warning("%s ignored SIGTERM for %.0f s; killing it", name, STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dev_stack_environment(dev_dir: Path, port: int, emulator_port: int) -> dict[str, str]:
    """The environment of `python -m ops.dev` started as a developer would, on given ports."""
    inherited = {name: os.environ[name] for name in SHELL_VARIABLES if name in os.environ}
    return {
        **inherited,
        "DEV_DIR": str(dev_dir),
        "PORT": str(port),
        "EMULATOR_PORT": str(emulator_port),
        "PYTHONUNBUFFERED": "1",
    }


def port_free(port: int) -> bool:
    """True when nothing listens on HOST:port (bound like the servers bind, SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The HTTP status `url` answers with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, http.client.HTTPException):
        return None
