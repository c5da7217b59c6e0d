"""Round trips that do not depend on each other go out together; threads outlive a batch."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from email.message import EmailMessage

import pytest
from pynamodb.exceptions import PynamoDBException

from chalicelib import worker
from chalicelib.mail import delivery, idempotency
from chalicelib.mail.delivery import Outcome
from tests.helpers.faults import failing
from tests.helpers.inbox import sent_mail
from tests.helpers.inflight import meeting
from tests.helpers.mailkit import an_email, sqs_event, sqs_record


class ThreadNoting:
    """A transport that notes which thread sent each message (and sends nothing)."""

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def send(self, sender: str, recipients: Sequence[str], message: EmailMessage) -> str:
        self.threads.add(threading.current_thread().name)
        return "provider-id"


def test_an_emails_claim_goes_out_while_its_suppression_entry_is_read() -> None:
    delivery.deliver(an_email("warm-up"))  # each model's client, made once
    with meeting("dynamodb.UpdateItem", "dynamodb.BatchGetItem") as calls:
        assert delivery.deliver(an_email("overlap-1")) is Outcome.SENT
    assert calls.met
    assert len(sent_mail()) == 2


def test_a_failed_suppression_read_gives_the_claim_back_with_its_error() -> None:
    with failing("dynamodb.BatchGetItem"), pytest.raises(PynamoDBException):
        delivery.deliver(an_email("overlap-2"))
    record = idempotency.status("overlap-2")
    assert record is not None
    assert record.status == "failed"
    assert "InternalServerError" in (record.last_error or "")
    assert delivery.deliver(an_email("overlap-2")) is Outcome.SENT  # a retry claims it at once


def test_the_records_of_every_batch_run_on_the_same_ten_threads() -> None:
    transport = ThreadNoting()
    for batch in range(3):
        records = [
            sqs_record(an_email(f"pool-{batch}-{i}").to_json(), f"m-{batch}-{i}") for i in range(10)
        ]
        assert worker.handle_batch(sqs_event(*records), transport) == {"batchItemFailures": []}
    assert 1 < len(transport.threads) <= 10
