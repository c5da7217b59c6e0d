"""The SQS mail worker: handler basics, partial failures, reset jobs, failure notes, copies in
flight (backoff and fault injection: test_worker_retries.py)."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from chalicelib import aws
from chalicelib.auth import accounts, password_reset
from chalicelib.mail import idempotency, suppression
from chalicelib.mail.records import FAILURE_PREFIX, MailFailure
from tests.helpers.inbox import RESET, drain_queue, run_worker, sent_mail, settle_mail, token_from
from tests.helpers.mailkit import (
    THROTTLING,
    SesFaults,
    email_body,
    queue_depth,
    ses_faults,
    sqs_event,
    sqs_record,
)


def _email(recipient: str, message_id: str = "m-1") -> str:
    return json.dumps(
        {
            "type": "email",
            "id": message_id,
            "subject": "[Microblog] Hello",
            "sender": "no-reply@example.com",
            "recipients": [recipient],
            "text_body": "Dear you,",
            "html_body": "<p>Dear you,</p>",
        }
    )


def _event(bodies: list[str]) -> dict[str, Any]:
    """An SQS event whose records have distinct ids (chalice's generator repeats one)."""
    return {
        "Records": [
            {
                "messageId": f"id-{i}",
                "receiptHandle": f"rh-{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:test-mail",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def test_handler_sends_a_queued_email_through_ses(client: Client) -> None:
    event = client.events.generate_sqs_event([_email("a@example.com")], queue_name="test-mail")
    result = client.lambda_.invoke("mail_worker", event).payload
    assert result == {"batchItemFailures": []}
    [mail] = sent_mail()
    assert mail.destinations[0] == "a@example.com"
    assert mail.message["Subject"] == "[Microblog] Hello"
    assert mail.part("plain").strip() == "Dear you,"


def test_only_the_bad_records_are_reported(client: Client) -> None:
    bodies = [_email("a@example.com", "m-1"), "not json", '{"type": "nope"}', "[]"]
    bodies.append(_email("b@example.com", "m-2"))
    result = client.lambda_.invoke("mail_worker", _event(bodies)).payload
    failures = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failures == {"id-1", "id-2", "id-3"}
    assert sorted(m.destinations[0] for m in sent_mail()) == ["a@example.com", "b@example.com"]


def test_reset_job_for_an_unknown_address_sends_nothing(client: Client) -> None:
    job = json.dumps({"type": "password_reset_requested", "email": "nobody@example.com"})
    result = client.lambda_.invoke("mail_worker", _event([job])).payload
    assert result == {"batchItemFailures": []}
    assert sent_mail() == []


def test_reset_job_for_a_known_address_sends_the_reset_email_in_the_same_invocation(
    client: Client, susan: dict[str, Any]
) -> None:
    job = json.dumps({"type": "password_reset_requested", "email": "SUSAN@example.com"})
    client.lambda_.invoke("mail_worker", _event([job]))
    [mail] = sent_mail()  # no second hop: nothing is left on the queue for it
    assert queue_depth(aws.queue_url()) == 0
    assert mail.destinations[0] == "susan@example.com"  # the stored address, canonical
    assert token_from(mail, RESET)


def test_a_redelivered_reset_job_sends_its_email_once(
    client: Client, susan: dict[str, Any]
) -> None:
    job = json.dumps({"type": "password_reset_requested", "email": "susan@example.com"})
    for _ in range(3):  # Lambda's at-least-once: the same job id, three times
        assert run_worker(sqs_event(sqs_record(job, "job-1"))) == {"batchItemFailures": []}
    assert len(sent_mail()) == 1


def test_one_bad_record_does_not_resend_the_nine_good_ones() -> None:
    records = [sqs_record(email_body(f"good-{i}"), f"msg-{i}") for i in range(9)]
    records.insert(4, sqs_record("{not json", "msg-bad"))
    event = sqs_event(*records)
    assert run_worker(event) == {"batchItemFailures": [{"itemIdentifier": "msg-bad"}]}
    assert len(sent_mail()) == 9
    # Lambda redelivers the whole batch if it ignores the answer: still nine emails.
    assert run_worker(event) == {"batchItemFailures": [{"itemIdentifier": "msg-bad"}]}
    assert len(sent_mail()) == 9


def test_a_failure_is_noted_by_message_id_with_its_kind_and_receive_count() -> None:
    with ses_faults(SesFaults(always=lambda _: THROTTLING)):
        result = run_worker(sqs_event(sqs_record(email_body("t-1"), "msg-t", receive_count=3)))
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-t"}]}
    note = MailFailure.get(FAILURE_PREFIX + "msg-t")
    assert note.kind == "transient"
    assert note.receive_count == 3
    assert note.error == "ThrottledError: SES Throttling: Maximum sending rate exceeded."
    run_worker(sqs_event(sqs_record({"type": "nonsense"}, "msg-p")))
    note = MailFailure.get(FAILURE_PREFIX + "msg-p")
    assert (note.kind, note.error) == (
        "permanent",
        "ValidationError: unknown queue message type 'nonsense'",
    )


def test_a_reset_job_for_a_suppressed_address_sends_nothing() -> None:
    accounts.register("susan", "susan@example.com", "correct horse battery staple")
    accounts.register("bob", "bob@example.com", "correct horse battery staple")
    settle_mail()  # the verification emails
    suppression.suppress("susan@example.com", "Bounce")
    password_reset.request_reset("susan@example.com", "192.0.2.1")
    password_reset.request_reset("bob@example.com", "192.0.2.1")
    drain_queue()
    assert [m.destinations[0] for m in sent_mail()] == ["bob@example.com"]


def test_a_copy_arriving_while_another_worker_sends_is_retried_later_not_sent() -> None:
    lease = idempotency.claim("busy-1")  # another worker is sending this email right now
    assert lease is not None
    event = sqs_event(sqs_record(email_body("busy-1"), "msg-copy"))
    assert run_worker(event) == {"batchItemFailures": [{"itemIdentifier": "msg-copy"}]}
    assert sent_mail() == []
    note = MailFailure.get(FAILURE_PREFIX + "msg-copy")
    assert note.kind == "transient"
    assert "being sent by another worker" in note.error
    idempotency.finish(lease, "sent", "ses-1")  # the other worker succeeds
    assert run_worker(event) == {"batchItemFailures": []}  # the retry finds it done
    assert sent_mail() == []
