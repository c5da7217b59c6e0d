"""What SES (moto) received, the tokens its emails carry, and the queue drained through the
real SQS handler."""

from __future__ import annotations

import email
import time
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
from moto.ses import ses_backends  # type: ignore[attr-defined]

import app as app_module
from chalicelib import aws
from ops.dev import poller
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import BASE_URL
from tests.helpers.mailkit import queue_depth
from tests.helpers.web import RESET as RESET  # the routes token_from takes
from tests.helpers.web import VERIFY as VERIFY
from tests.helpers.web import link_in


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


def clear_sent_mail() -> None:
    """Forget what SES accepted so far (a test's inbox starts after its setup)."""
    ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages.clear()


def settle_mail() -> None:
    """Deliver what is queued (e.g. registration's verification email), then forget it."""
    drain_queue()
    clear_sent_mail()


def subject_of(mail: SentMail) -> str:
    """The subject as a reader sees it (RFC 2047 encoded words decoded)."""
    return str(make_header(decode_header(str(mail.message["Subject"]))))


def with_subject(word: str) -> list[SentMail]:
    """What SES accepted whose subject contains `word`."""
    return [m for m in sent_mail() if word in str(m.message["Subject"])]


def token_from(mail: SentMail, route: str) -> str:
    """The token of the email's absolute link to `route` (RESET or VERIFY), from its text."""
    link = link_in(mail.part("plain"), route)
    assert link.startswith(f"{BASE_URL}/"), link
    return link.rsplit("/", 1)[1]


def run_worker(event: dict[str, Any], context: Any = None) -> Any:
    """Invoke the deployed SQS handler with a Lambda-shaped event."""
    return app_module.mail_worker(event, context)


def drain_queue(
    handler: poller.Handler = run_worker, queue_url: str | None = None, max_polls: int = 10_000
) -> int:
    """Deliver everything queued through `handler` (the deployed one) as Lambda's mapping
    would, until the queue is empty: failures are retried, poison is dead-lettered by the
    queue's redrive policy. Returns how many messages were received.

    The mapping's own calls (receive, delete, queue attributes) are not the app's: a recording
    of AWS calls (awscalls.py) sees only what the handler does.
    """
    url = queue_url or aws.queue_url()
    recording = AWS_CALLS.recording

    def invoke(event: dict[str, Any], context: Any) -> Any:
        AWS_CALLS.recording = recording
        try:
            return handler(event, context)
        finally:
            AWS_CALLS.recording = False

    AWS_CALLS.recording, received = False, 0
    try:
        for _ in range(max_polls):
            batch, _failed = poller.poll_once(aws.sqs(), url, invoke)
            received += batch
            if not batch:
                if queue_depth(url) == 0:
                    return received
                time.sleep(0.002)  # visibility 0 still means "after now": let the clock tick
    finally:
        AWS_CALLS.recording = recording
    raise AssertionError(f"queue not empty after {max_polls} polls")
