"""`make dev` end to end: the real processes, real HTTP, the outbox, and a clean stop."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from ops.dev.procs import SHELL_VARIABLES, free_port, port_free
from tests.helpers import devstack
from tests.helpers.web import RESET, VERIFY

OLD_PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "tr0ub4dor & 3 new horses"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the stack runs its own moto server process."""


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[devstack.DevStack]:
    running = devstack.start(tmp_path)
    yield running
    running.kill()


def call(
    base: str, method: str, path: str, body: Any = None, token: str = ""
) -> tuple[int, dict[str, Any]]:
    """A JSON API call over real HTTP: (status, JSON body)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    url = base + path  # always http://127.0.0.1:PORT
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def fetch(url: str, accept: str) -> tuple[int, str, str]:
    """GET with an Accept header: (status, Content-Type, body), errors included."""
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 - http://
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def csrf_field(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_story_over_http_then_sigterm_stops_every_child(stack: devstack.DevStack) -> None:
    base = stack.base_url
    # No SECRET_KEY was given: one was made and kept for restarts.
    assert len((stack.dev_dir / "secret_key").read_text().strip()) >= 32
    assert f"Open    {base}/register" in stack.log()

    before = stack.emails()
    status, user = call(
        base,
        "POST",
        "/api/users",
        {"username": "ada", "email": "ada@example.com", "password": OLD_PASSWORD},
    )
    assert status == 201, user
    assert user["email_verified"] is False

    # Registration mailed a link that confirms the address: GET shows a button, POST confirms.
    verify_message = devstack.read_email(stack.wait_for_email(before))
    assert verify_message["Subject"] == "[Microblog] Confirm your email address"
    confirm = devstack.link(verify_message, VERIFY)
    assert confirm.startswith(f"{base}/verify_email/")
    visitor = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with visitor.open(confirm, timeout=10) as page:
        html = page.read().decode()
        assert 'class="btn">Confirm</button>' in html
    with visitor.open(
        confirm, data=urlencode({"csrf_token": csrf_field(html)}).encode(), timeout=10
    ) as page:
        assert page.url == f"{base}/login"
        assert "Your email address is confirmed." in page.read().decode()
    user["email_verified"] = True

    # An unknown address first: same answer, and (as the next email proves) no email.
    before = stack.emails()
    assert call(base, "POST", "/api/password-reset", {"email": "nobody@example.com"})[0] == 202
    started = time.perf_counter()
    status, body = call(base, "POST", "/api/password-reset", {"email": "ada@example.com"})
    assert status == 202, body
    path = stack.wait_for_email(before)
    latency = time.perf_counter() - started
    print(f"\nrequest -> outbox latency: {latency * 1000:.0f} ms")
    assert stack.emails() - before == {path}

    message = devstack.read_email(path)
    assert message["Subject"] == "[Microblog] Reset your password"
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Microblog <no-reply@example.com>"  # MAIL_SENDER_NAME, first admin
    link = devstack.link(message, RESET)
    assert link.startswith(f"{base}/reset_password/")
    # Printed on the console too, like the tutorial's DebuggingServer.
    stack.wait_for_log(link)
    assert "Subject: [Microblog] Reset your password" in stack.log()

    # The HTML form flow, with the csrf cookie and hidden field, as a browser would.
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with browser.open(link, timeout=10) as page:
        assert page.headers["Referrer-Policy"] == "no-referrer"
        form = {"csrf_token": csrf_field(page.read().decode())}
    form |= {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    with browser.open(link, data=urlencode(form).encode(), timeout=10) as page:
        assert page.url == f"{base}/login"
        assert "Your password has been reset." in page.read().decode()
    with browser.open(link, timeout=10) as page:  # the link worked once
        assert page.url == f"{base}/reset_password_request"

    assert (
        call(base, "POST", "/api/tokens", {"username": "ada", "password": OLD_PASSWORD})[0] == 401
    )
    status, tokens = call(
        base, "POST", "/api/tokens", {"username": "ada", "password": NEW_PASSWORD}
    )
    assert status == 200, tokens
    assert call(base, "GET", "/api/users/me", token=tokens["access_token"]) == (200, user)

    # An unknown address: the not-found page for a browser, problem+json for an API client,
    # as the deployed API's gateway responses answer.
    status, content_type, body = fetch(f"{base}/no/such/page", BROWSER_ACCEPT)
    assert (status, content_type) == (404, "text/html; charset=utf-8")
    assert "<h1>Page Not Found</h1>" in body
    assert "Página no encontrada" in body
    assert f'href="{base}/"' in body
    for accept in ("application/json", "*/*"):
        status, content_type, body = fetch(f"{base}/api/no/such/route", accept)
        assert (status, content_type) == (404, "application/json"), accept
        assert json.loads(body)["error"] == "not_found"

    children = devstack.descendants(stack.proc.pid)
    commands = " | ".join(children.values())
    assert "moto.server" in commands, commands
    assert "ops.dev.local_api" in commands, commands  # chalice local, gateway responses and all

    assert stack.stop(signal.SIGTERM) == 0, stack.log()
    assert [pid for pid in children if devstack.alive(pid)] == []
    assert port_free(stack.port)
    assert port_free(stack.emulator_port)
    assert "stopped" in stack.log()


def dev_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in SHELL_VARIABLES}
    return {**env, "DEV_DIR": str(tmp_path), **extra}


def test_importing_ops_dev_leaves_the_app_unread(tmp_path: Path) -> None:
    """ops.dev.dev loads no app code until it has set the environment the stack runs with."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, ops.dev.dev; print(json.dumps(list(sys.modules)))",
        ],
        cwd=devstack.ROOT,
        env=dev_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(done.stdout))
    assert "ops.dev" in loaded
    assert [m for m in loaded if m == "app" or m.startswith("chalicelib")] == []


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "ops.dev"],
            cwd=devstack.ROOT,
            env=dev_env(tmp_path, PORT=str(port), EMULATOR_PORT=str(free_port())),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is taken" in done.stderr
    assert not (tmp_path / "emulator.log").exists()  # no emulator was started
