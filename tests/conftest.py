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
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

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


@pytest.fixture(autouse=True)
def aws_env() -> Iterator[None]:
    """A fresh moto account per test, provisioned like a real stage."""
    with mock_aws():
        provision(get_settings())
        yield


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
