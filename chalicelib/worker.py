"""The SQS mail worker, an entry point like web/: records delivered at once, failures per record.

It takes two kinds of message: a rendered email (mail.delivery sends it) and a reset job
(auth.password_reset says which email it asks for; mail.deliver_deferred composes and sends it
in the same invocation, under an id derived from the job's).

Powertools' BatchProcessor fits Chalice as is: app.py hands it `event.to_dict()` and returns its
`batchItemFailures` answer (which Lambda honours once the mapping has ReportBatchItemFailures:
ops/postdeploy.py and ops/cfn/sqs-batch-failures.json set it).

A failed record stays on the queue. Before reporting it, the worker notes why in a MailFailure
record (shown by `make dlq`) and pushes the message's visibility out with exponential backoff;
SQS moves it to the dead-letter queue once it has been received MAIL_MAX_RECEIVES times.
"""

from __future__ import annotations

import functools
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib import aws, metrics
from chalicelib.auth import password_reset
from chalicelib.errors import AppError, PermanentDeliveryError, ValidationError
from chalicelib.logs import logger as log
from chalicelib.logs import redact
from chalicelib.mail import deliver_deferred, delivery, overlap, pacing
from chalicelib.mail.composing import EMAIL_MESSAGE, QueuedEmail
from chalicelib.mail.records import FAILURE_PREFIX, MailFailure
from chalicelib.mail.transports import Transport, get_transport
from chalicelib.settings import get_settings


class ConcurrentBatchProcessor(BatchProcessor):
    """Powertools' BatchProcessor with the records of a batch processed at once.

    They run on the container's bounded pool of record threads (mail/overlap.py, started once
    and reused), so a batch takes about one send's time, not ten; mail/pacing.py keeps the sum
    of all threads and containers under the account's SES rate. Powertools offers only
    sequential and asyncio processing; each record still goes through its `_process_record`,
    so success and failure bookkeeping (per record) is Powertools' own.
    """

    def process(self) -> list[tuple[Any, ...]]:
        if len(self.records) < 2:
            return super().process()
        return list(overlap.batch_pool().map(self._process_record, self.records))


_processor = ConcurrentBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

# Set by ops/dlq.py when it redrives a message: the id the message had when first queued.
ORIGIN_ATTRIBUTE = "origin-message-id"
# What a record may fail with and still be noted and backed off (anything else is a bug:
# Powertools still reports the record as failed, and SQS still retries and dead-letters it).
FAILURES = (AppError, ClientError, BotoCoreError, PynamoDBException)
_jitter = random.Random()  # noqa: S311 - jitter, not a secret


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter for transient failures; a short fixed delay otherwise."""

    base: int
    cap: int

    @classmethod
    def from_settings(cls) -> Backoff:
        mail = get_settings().mail
        return cls(base=mail.retry_base_seconds, cap=mail.retry_max_seconds)

    def delay(self, receive_count: int, *, permanent: bool, rng: random.Random = _jitter) -> int:
        """Seconds to hide the message: base * 2^(n-1), capped, half of it jittered."""
        if permanent:  # retrying will not help: let SQS count receives up to the DLQ quickly
            return min(self.base, self.cap)
        ceiling = min(self.cap, self.base << min(max(receive_count, 1) - 1, 16))
        half = ceiling // 2
        return half + rng.randint(0, ceiling - half)


def _receive_count(record: SQSRecord) -> int:
    attributes = record.raw_event.get("attributes") or {}
    raw = str(attributes.get("ApproximateReceiveCount", "1"))
    return int(raw) if raw.isdigit() else 1


def _job_id(record: SQSRecord) -> str:
    """The job's id: kept across a DLQ redrive so a redriven job makes the same email id."""
    origin = record.message_attributes[ORIGIN_ATTRIBUTE]
    if origin is not None and origin.string_value:
        return origin.string_value
    return record.message_id


def _dispatch(record: SQSRecord, transport: Transport | None) -> None:
    try:
        message = json.loads(record.body)
    except json.JSONDecodeError:
        raise ValidationError("queue message is not JSON") from None
    if not isinstance(message, dict):
        raise ValidationError("queue message is not an object")
    kind = message.get("type")
    if kind == EMAIL_MESSAGE:
        delivery.deliver(QueuedEmail.from_dict(message), transport)
    elif kind == password_reset.RESET_REQUESTED:
        deliver_deferred(password_reset.reset_email(message, _job_id(record)), transport)
    else:
        raise ValidationError(f"unknown queue message type {kind!r}")


def _note_failure(record: SQSRecord, error: str, permanent: bool) -> None:
    """Keep the last error by SQS message id (SQS keeps that id when it dead-letters)."""
    now = time.time()
    try:
        MailFailure(
            FAILURE_PREFIX + record.message_id,
            error=error[:500],
            kind="permanent" if permanent else "transient",
            receive_count=_receive_count(record),
            updated_at=int(now),
            expires_at=datetime.fromtimestamp(now + get_settings().mail.idempotency_ttl, tz=UTC),
        ).save()
    except PynamoDBException as exc:
        log.warning("could not note the failure of %s: %s", record.message_id, type(exc).__name__)


def _delay_retry(record: SQSRecord, seconds: int) -> None:
    """Hide the failed message for `seconds` (SQS's ChangeMessageVisibility)."""
    try:
        aws.sqs().change_message_visibility(
            QueueUrl=aws.queue_url_for(record.event_source_arn),
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=seconds,
        )
    except ClientError as exc:
        # The queue's own visibility timeout applies instead: a slower retry, not a lost one.
        log.warning("could not back off %s: %s", record.message_id, exc.response["Error"])


def handle_record(
    record: SQSRecord, transport: Transport | None = None, backoff: Backoff | None = None
) -> None:
    """Process one queue message; raising marks only this record as failed."""
    try:
        _dispatch(record, transport)
    except FAILURES as exc:
        permanent = isinstance(exc, PermanentDeliveryError | ValidationError)
        error = redact(f"{type(exc).__name__}: {exc}")
        log.warning("message %s failed (%s)", record.message_id, error)
        failure = metrics.Failure.PERMANENT if permanent else metrics.Failure.TRANSIENT
        metrics.note(metrics.Metric.EMAIL_FAILED, failure)
        if _receive_count(record) >= get_settings().mail.max_receives:  # SQS moves it next
            metrics.note(metrics.Metric.DEAD_LETTERED)
        _note_failure(record, error, permanent)
        policy = backoff or Backoff.from_settings()
        if policy.base:  # base 0 turns backoff off: the queue's visibility timeout applies
            _delay_retry(record, policy.delay(_receive_count(record), permanent=permanent))
        raise


def handle_batch(
    event: dict[str, Any], transport: Transport | None = None, backoff: Backoff | None = None
) -> dict[str, Any]:
    """Lambda's SQS batch in, `batchItemFailures` out. `transport`/`backoff`: test seams.

    The clients are made here, before the threads start (making boto3 clients is not
    thread-safe); every send waits for its slot at this container's pacer.
    """
    for make_client in (aws.sqs, aws.ses, aws.dynamodb):
        make_client()
    paced = pacing.paced(transport or get_transport())
    handler = functools.partial(handle_record, transport=paced, backoff=backoff)
    return dict(process_partial_response(event=event, record_handler=handler, processor=_processor))
