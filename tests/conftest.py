"""Shared fixtures: dummy AWS credentials, moto for every test, tables, a Chalice client."""

from __future__ import annotations

import os
import secrets

# The environment is set before anything imports chalicelib: Settings and the
# PynamoDB table names are read at import time, as they are at a Lambda cold start.
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC_BASE_URL": "https://accounts.example.com/prod",
        "ADMINS": "no-reply@example.com,admin@example.com",
        "USERS_TABLE": "test-users",
        "STATE_TABLE": "test-state",
        "MAIL_QUEUE": "test-mail",
        # Mail pipeline: retries come back at once and poison reaches the DLQ in ten receives,
        # so queue drains take seconds (production: 360 s visibility, 30 s backoff base, 8).
        "MAIL_VISIBILITY_TIMEOUT": "0",
        "MAIL_RETRY_BASE_SECONDS": "0",
        "MAIL_MAX_RECEIVES": "10",
        "POWERTOOLS_SERVICE_NAME": "microblog-test",
    }
)

import email
import io
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import botocore.handlers
import pytest
from chalice.test import Client
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends

import app as app_module
from chalicelib import aws
from chalicelib.settings import get_settings
from ops import poller
from ops.provision import provision

BASE_URL = os.environ["PUBLIC_BASE_URL"]


class AwsCalls:
    """Counts every AWS API call (boto3 and PynamoDB alike) while recording."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.recording = False

    def __call__(self, model: Any, **_: Any) -> None:
        if self.recording:
            self.calls.append(f"{model.service_model.service_name}.{model.name}")

    def record(self) -> list[str]:
        self.calls, self.recording = [], True
        return self.calls


# Registered like moto's own stubber: every botocore session made from now on calls it.
AWS_CALLS = AwsCalls()
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", AWS_CALLS))


@pytest.fixture(autouse=True)
def aws_env() -> Iterator[None]:
    """A fresh moto account per test, provisioned like a real stage."""
    with mock_aws():
        provision(get_settings())
        yield
    AWS_CALLS.recording = False


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(app_module.app) as test_client:
        yield test_client


@dataclass
class SentMail:
    """One email as SES received it."""

    source: str
    destinations: list[str]
    message: Message

    def part(self, subtype: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError(f"no text/{subtype} part")


def sent_mail() -> list[SentMail]:
    """Everything moto's SES accepted in this test."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [
        SentMail(m.source, list(m.destinations), email.message_from_string(m.raw_data))
        for m in backend.sent_messages
    ]


def run_worker(event: dict[str, Any], context: Any = None) -> Any:
    """Invoke the deployed SQS handler with a Lambda-shaped event."""
    return app_module.mail_worker(event, context)


def drain_queue() -> int:
    """Deliver everything queued, through the real handler, as Lambda would."""
    return poller.drain(aws.sqs(), aws.queue_url(), run_worker)


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def post_json(client: Client, path: str, body: Any, **headers: str) -> Any:
    """POST a JSON body through the Chalice test client."""
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.http.post(
        path, body=payload, headers={"Content-Type": "application/json", **headers}
    )


def post_form(client: Client, path: str, fields: dict[str, str], cookie: str = "") -> Any:
    """POST an urlencoded HTML form through the Chalice test client."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    return client.http.post(path, body=urlencode(fields), headers=headers)


def cookies_from(response: Any) -> dict[str, str]:
    """{name: value} of the Set-Cookie headers of a response (expired ones as '')."""
    raw = response.headers.get("Set-Cookie", [])
    values = raw if isinstance(raw, list) else [raw]
    return {v.split("=", 1)[0]: v.split("=", 1)[1].split(";", 1)[0] for v in values}


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "tr0ub4dor & 3 new horses"


@pytest.fixture
def susan(client: Client) -> dict[str, Any]:
    """A registered user (through the API)."""
    response = post_json(
        client,
        "/api/users",
        {"username": "susan", "email": "Susan@Example.com", "password": PASSWORD},
    )
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def reset_token_from(mail: SentMail) -> str:
    """The token in the link of a reset email (text part)."""
    text = mail.part("plain")
    prefix = f"{BASE_URL}/reset_password/"
    start = text.index(prefix) + len(prefix)
    return text[start:].split()[0]


class Browser:
    """A tiny cookie-keeping browser over the Chalice test client."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    def _keep(self, response: Any) -> Any:
        self.jar.update(cookies_from(response))
        self.jar = {k: v for k, v in self.jar.items() if v}
        return response

    def get(self, path: str, **headers: str) -> Any:
        headers = {"Cookie": cookie_header(self.jar), **headers} if self.jar else headers
        return self._keep(self.client.http.get(path, headers=headers))

    def submit(self, path: str, fields: dict[str, str], csrf: bool = True) -> Any:
        """GET the form page for its CSRF token, then POST `fields` like a browser would."""
        if csrf and "csrf_token" not in fields:
            fields = {**fields, "csrf_token": csrf_from(self.get(path).body.decode())}
        return self._keep(post_form(self.client, path, fields, cookie_header(self.jar)))

    def follow(self, response: Any) -> Any:
        assert response.status_code in (302, 303), response.status_code
        location = response.headers["Location"]
        assert location.startswith(BASE_URL), location
        return self.get(location[len(BASE_URL) :] or "/")


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


PROJECT_FILES = ("app.py", "requirements.txt", "chalicelib", ".chalice")


def copy_project(destination: Path) -> Path:
    """The Chalice project in `destination`, sharing Chalice's artifact cache.

    Deploy and package tests write .chalice/deployed/<stage>.json and build/; a copy keeps
    them away from a developer's real deployment records. The cache under
    .chalice/deployments is keyed by content hashes, so sharing it is safe and fast.
    """
    root = Path(__file__).resolve().parent.parent
    destination.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(
                source,
                destination / name,
                ignore=shutil.ignore_patterns("__pycache__", "deployed", "deployments"),
            )
        else:
            shutil.copy2(source, destination / name)
    cache = root / ".chalice" / "deployments"
    cache.mkdir(parents=True, exist_ok=True)
    (destination / ".chalice" / "deployments").symlink_to(cache, target_is_directory=True)
    return destination


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the Chalice project (see copy_project)."""
    return copy_project(tmp_path / "project")
