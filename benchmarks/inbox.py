"""Request to inbox in `make dev`: a reset request over HTTP until its email is in the outbox.

Runs `python -m ops.dev` as a developer would (moto server, `chalice local`, the long-polling
queue poller running the worker, the outbox), on free ports with its state in a temporary
directory, then times `POST /api/password-reset` to chalice local until the email's .eml file
appears in the outbox: the HTTP request, its three calls to the emulator, the job on the queue,
the poller's receive, the worker's five calls, the outbox reading the emulator's SES store.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.table import Table
from ops.dev.devconsole import BANNER
from ops.dev.procs import dev_stack_environment, free_port, http_status, spawn, terminate

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 25
STARTUP_TIMEOUT = 60.0
ARRIVAL_TIMEOUT = 10.0


def _post(url: str, body: dict[str, str]) -> int:
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)


def _emails(outbox: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(outbox) if entry.name.endswith(".eml")}
    except FileNotFoundError:
        return set()


def _arrival(outbox: Path, before: set[str]) -> None:
    """Return as soon as an .eml file that was not in `before` is in the outbox."""
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT
    while not _emails(outbox) - before:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no email reached {outbox} in {ARRIVAL_TIMEOUT:.0f} s")
        time.sleep(0.0005)


def _wait_until_up(base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while http_status(f"{base_url}/api/health") != 200 or BANNER not in log_path.read_text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"make dev did not come up:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.05)


def request_to_inbox(table: Table) -> None:
    table.section("make dev: moto server + chalice local + long-polling poller + outbox")
    with tempfile.TemporaryDirectory() as tmp:
        dev_dir, log_path = Path(tmp) / "dev", Path(tmp) / "ops-dev.log"
        port, emulator_port = free_port(), free_port()
        env = dev_stack_environment(dev_dir, port, emulator_port)
        env.update(
            RESET_EMAILS_PER_HOUR="1000000",  # one address, asked again and again
            RESET_REQUESTS_PER_IP_PER_HOUR="1000000",
        )
        base_url, outbox = f"http://127.0.0.1:{port}", dev_dir / "outbox"
        proc = spawn([sys.executable, "-m", "ops.dev"], env, ROOT, log_path)
        try:
            _wait_until_up(base_url, log_path)
            before = _emails(outbox)
            account = {"username": "susan", "email": "susan@example.com", "password": "x" * 16}
            assert _post(f"{base_url}/api/users", account) == 201
            _arrival(outbox, before)  # the verification email
            samples = []
            for _ in range(ROUNDS):
                before = _emails(outbox)
                started = time.perf_counter()
                assert _post(f"{base_url}/api/password-reset", {"email": account["email"]}) == 202
                _arrival(outbox, before)
                samples.append((time.perf_counter() - started) * 1000)
        finally:
            terminate("ops.dev", proc)
    table.timings("POST /api/password-reset to the outbox", samples, "goal p50 < 100 ms")
