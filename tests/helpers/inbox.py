"""What SES (moto) received, and the queue drained through the real SQS handler."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends

import app as app_module
from chalicelib import aws
from ops.dev import poller
from tests.helpers.environment import BASE_URL


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


def verify_token_from(mail: SentMail) -> str:
    """The token in the link of a verification email (text part)."""
    text = mail.part("plain")
    prefix = f"{BASE_URL}/verify_email/"
    start = text.index(prefix) + len(prefix)
    return text[start:].split()[0]


def run_worker(event: dict[str, Any], context: Any = None) -> Any:
    """Invoke the deployed SQS handler with a Lambda-shaped event."""
    return app_module.mail_worker(event, context)


def drain_queue() -> int:
    """Deliver everything queued, through the real handler, as Lambda would."""
    return poller.drain(aws.sqs(), aws.queue_url(), run_worker)


def reset_token_from(mail: SentMail) -> str:
    """The token in the link of a reset email (text part)."""
    text = mail.part("plain")
    prefix = f"{BASE_URL}/reset_password/"
    start = text.index(prefix) + len(prefix)
    return text[start:].split()[0]
