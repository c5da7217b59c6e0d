"""A reset job claims its email beside the account read, and gives the claim back on failure."""

from __future__ import annotations

import json
import uuid
from typing import Any

from chalicelib.mail import idempotency
from tests.helpers.faults import failing
from tests.helpers.inbox import run_worker, sent_mail
from tests.helpers.inflight import meeting
from tests.helpers.mailkit import sqs_event, sqs_record

JOB = json.dumps({"type": "password_reset_requested", "email": "susan@example.com"})


def email_id(job_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"reset:{job_id}"))


def test_the_claim_goes_out_while_the_account_is_read(susan: dict[str, Any]) -> None:
    run_worker(sqs_event(sqs_record(JOB, "warm-up")))  # each model's client, made once
    # The claim is a transaction: it carries the account's reset_requested event.
    with meeting("dynamodb.TransactWriteItems", "dynamodb.GetItem") as calls:
        assert run_worker(sqs_event(sqs_record(JOB, "job-1"))) == {"batchItemFailures": []}
    assert calls.met
    assert len(sent_mail()) == 2


def test_a_failed_account_read_gives_the_claim_back_for_the_retry(susan: dict[str, Any]) -> None:
    with failing("dynamodb.GetItem"):
        answer = run_worker(sqs_event(sqs_record(JOB, "job-2")))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "job-2"}]}
    record = idempotency.status(email_id("job-2"))
    assert record is not None
    assert record.status == "failed"
    assert sent_mail() == []
    assert run_worker(sqs_event(sqs_record(JOB, "job-2"))) == {"batchItemFailures": []}
    assert len(sent_mail()) == 1
