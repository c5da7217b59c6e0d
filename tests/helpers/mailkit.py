"""Helpers for the mail-pipeline tests: SES fault injection, queue depths, Lambda-shaped records.

SES faults go through botocore's own event system: a `before-call.ses.SendRawEmail` handler on
the app's real SES client answers instead of SES (moto) when it decides to fail. botocore then
raises the ClientError it would raise for that response, so the transport, the worker, the
idempotency records and the queue's redrive all run for real.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from chalicelib import aws
from chalicelib.mail.composing import QueuedEmail
from chalicelib.settings import get_settings

SENDER = "no-reply@example.com"


def an_email(email_id: str = "mail-1", **changes: object) -> QueuedEmail:
    """A composed email as the queue carries it, to susan; `changes` replaces any field."""
    fields: dict[str, object] = {
        "id": email_id,
        "subject": "[Microblog] Hello",
        "sender": SENDER,
        "recipients": ("susan@example.com",),
        "text_body": "Dear susan, plain text.",
        "html_body": "<p>Dear susan, <b>HTML</b>.</p>",
        **changes,
    }
    return QueuedEmail(**fields)  # type: ignore[arg-type]


def email_body(email_id: str = "mail-1", **changes: object) -> dict[str, Any]:
    """an_email as a queue message's JSON body."""
    return json.loads(an_email(email_id, **changes).to_json())  # type: ignore[no-any-return]


# (HTTP status, SES error code, message): what SES answers when it is overwhelmed or broken.
THROTTLING = (400, "Throttling", "Maximum sending rate exceeded.")
UNAVAILABLE = (503, "ServiceUnavailable", "Service is unavailable. Please try again later.")
INTERNAL = (500, "InternalFailure", "An internal error occurred.")
REJECTED = (400, "MessageRejected", "Email address is not verified: bob@example.com")


@dataclass
class SesFaults:
    """Decides, per SendRawEmail call, whether SES fails; counts what it did."""

    rate: float = 0.0
    faults: tuple[tuple[int, str, str], ...] = (THROTTLING, UNAVAILABLE, INTERNAL)
    seed: int = 4
    always: Callable[[dict[str, Any]], tuple[int, str, str] | None] | None = None
    calls: int = 0
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def before_call(
        self, params: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        self.calls += 1
        fault = self.always(params) if self.always else None
        if fault is None and self._rng.random() < self.rate:
            fault = self._rng.choice(self.faults)
        if fault is None:
            return None  # let moto's SES answer
        status, code, message = fault
        self.injected[code] = self.injected.get(code, 0) + 1
        parsed = {
            "Error": {"Code": code, "Message": message, "Type": "Sender"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        url = "https://email.us-east-1.amazonaws.com/"
        return AWSResponse(url, status, HTTPHeaders(), None), parsed


@contextmanager
def ses_faults(faults: SesFaults) -> Iterator[SesFaults]:
    """Install `faults` on the app's SES client for the duration of the block."""
    events, key = aws.ses().meta.events, f"ses-faults-{id(faults)}"
    # A before-call handler may answer in SES's place (botocore reads what it returns); the
    # stubs type handlers as returning None.
    handler: Callable[..., None] = faults.before_call  # type: ignore[assignment]
    events.register("before-call.ses.SendRawEmail", handler, unique_id=key)
    try:
        yield faults
    finally:
        events.unregister("before-call.ses.SendRawEmail", unique_id=key)


def queue_depth(queue_url: str) -> int:
    """Visible + in-flight + delayed messages on a queue."""
    attributes = aws.sqs().get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def dlq_url() -> str:
    return aws.sqs().get_queue_url(QueueName=get_settings().mail.dlq_name)["QueueUrl"]


def dlq_bodies() -> list[str]:
    """Every body in the dead-letter queue (received once, then made visible again)."""
    sqs, url = aws.sqs(), dlq_url()
    bodies: dict[str, str] = {}
    handles = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        messages = batch.get("Messages", [])
        if not messages:
            break
        for m in messages:
            bodies[m["MessageId"]] = m["Body"]
            handles.append(m["ReceiptHandle"])
    for handle in handles:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    return list(bodies.values())


def sqs_record(
    body: str | dict[str, Any], message_id: str, receive_count: int = 1
) -> dict[str, Any]:
    """One Lambda-shaped SQS record with its own messageId (chalice's share 'message-id')."""
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:test-mail",
        "awsRegion": "us-east-1",
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
