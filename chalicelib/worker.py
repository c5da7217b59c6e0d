"""The SQS mail worker: one record at a time, failures reported per record."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import delivery, password_reset
from chalicelib.errors import ValidationError
from chalicelib.mailer import EMAIL_MESSAGE, QueuedEmail

_processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def handle_record(record: SQSRecord) -> None:
    """Process one queue message; raising marks only this record as failed."""
    try:
        message = json.loads(record.body)
    except json.JSONDecodeError:
        raise ValidationError("queue message is not JSON") from None
    if not isinstance(message, dict):
        raise ValidationError("queue message is not an object")
    kind = message.get("type")
    if kind == EMAIL_MESSAGE:
        delivery.deliver(QueuedEmail.from_dict(message))
    elif kind == password_reset.RESET_REQUESTED:
        password_reset.send_reset_email(message, record.message_id)
    else:
        raise ValidationError(f"unknown queue message type {kind!r}")


def handle_batch(event: dict[str, Any]) -> dict[str, Any]:
    """Lambda's SQS batch in, `batchItemFailures` out."""
    return dict(
        process_partial_response(event=event, record_handler=handle_record, processor=_processor)
    )
