"""`make dlq`: list dead-lettered mail (masked) with its last error, and redrive it."""

from __future__ import annotations

import json
import uuid

import pytest

from chalicelib import aws
from chalicelib.auth import accounts, password_reset
from chalicelib.mail.composing import QueuedEmail
from ops.admin import dlq
from tests.helpers.inbox import drain_queue, sent_mail, settle_mail
from tests.helpers.mailkit import dlq_url, queue_depth

INTRUDER = "intruder@example.net"  # not a verified SES identity: moto's SES rejects it


def queue(body: str) -> None:
    aws.sqs().send_message(QueueUrl=aws.queue_url(), MessageBody=body)


def rejected_email() -> str:
    email = QueuedEmail(
        "bad-sender",
        "Quarterly report",
        INTRUDER,
        ("susan@example.com", "bob@example.com"),
        "t",
        "<p>h</p>",
    )
    return email.to_json()


def test_lists_dead_letters_masked_with_subject_receives_and_error() -> None:
    queue(rejected_email())
    queue("{garbage")
    drain_queue()
    letters = {d.kind: d for d in dlq.list_dead_letters(aws.sqs(), dlq_url())}
    assert set(letters) == {"email", "not JSON"}
    email = letters["email"]
    assert (email.recipient, email.subject, email.receives) == (
        "s***@example.com (+1)",
        "Quarterly report",
        10,
    )
    assert email.error == (
        "permanent: PermanentDeliveryError: SES MessageRejected: "
        "Did not have authority to send from email i***@example.net"
    )
    assert letters["not JSON"].error == "permanent: ValidationError: queue message is not JSON"
    # Listing changes nothing: both are still there, visible, for the next listing.
    assert len(dlq.list_dead_letters(aws.sqs(), dlq_url())) == 2
    report = dlq.format_letters(list(letters.values()))
    assert "susan" not in report
    assert "s***@example.com" in report


def test_redrive_after_the_cause_is_fixed_delivers_once_and_empties_the_dlq() -> None:
    queue(rejected_email())
    drain_queue()
    assert queue_depth(dlq_url()) == 1
    aws.ses().verify_email_identity(EmailAddress=INTRUDER)  # the operator fixes the cause
    assert dlq.redrive(aws.sqs(), dlq_url(), aws.queue_url()) == 1
    assert queue_depth(dlq_url()) == 0
    drain_queue()
    assert [m.message["Message-ID"] for m in sent_mail()] == ["<bad-sender@example.net>"]
    assert dlq.list_dead_letters(aws.sqs(), dlq_url()) == []


def test_redrive_only_the_named_messages() -> None:
    queue("{one")
    queue("{two")
    drain_queue()
    letters = dlq.list_dead_letters(aws.sqs(), dlq_url())
    chosen = next(d.message_id for d in letters if d.kind == "not JSON")
    assert dlq.redrive(aws.sqs(), dlq_url(), aws.queue_url(), only={chosen}) == 1
    assert queue_depth(aws.queue_url()) == 1
    assert len(dlq.list_dead_letters(aws.sqs(), dlq_url())) == 1


def test_a_redriven_reset_job_keeps_its_email_id() -> None:
    accounts.register("susan", "susan@example.com", "correct horse battery staple")
    settle_mail()  # the verification email
    body = json.dumps({"type": password_reset.RESET_REQUESTED, "email": "susan@example.com"})
    original = aws.sqs().send_message(QueueUrl=dlq_url(), MessageBody=body)["MessageId"]
    dlq.redrive(aws.sqs(), dlq_url(), aws.queue_url())
    drain_queue()
    email_id = uuid.uuid5(uuid.NAMESPACE_URL, f"reset:{original}")
    assert [m.message["Message-ID"] for m in sent_mail()] == [f"<{email_id}@example.com>"]


def test_main_lists_and_redrives(caplog: pytest.LogCaptureFixture) -> None:
    queue("{garbage")
    drain_queue()
    caplog.set_level("INFO", logger="dlq")
    assert dlq.main([]) == 0
    assert "1 dead-lettered message(s)" in caplog.text
    assert "queue message is not JSON" in caplog.text
    assert dlq.main(["--redrive"]) == 0
    assert "redrove 1 message(s) to test-mail" in caplog.text
    assert queue_depth(dlq_url()) == 0
