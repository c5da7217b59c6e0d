"""The SQS mail worker: handler basics, partial failures, backoff, dead letters, faults."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import aws, worker
from chalicelib.auth import accounts, password_reset
from chalicelib.mail import idempotency, suppression
from chalicelib.mail.composing import queue_email
from chalicelib.models import FAILURE_PREFIX, MailFailure
from chalicelib.worker import Backoff
from ops import poller
from tests.helpers.inbox import RESET, drain_queue, run_worker, sent_mail, settle_mail, token_from
from tests.helpers.mailkit import (
    SENDER,
    THROTTLING,
    SesFaults,
    dlq_bodies,
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
    assert mail.destinations[0] == "Susan@example.com"  # the stored address
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


@pytest.mark.parametrize(
    ("receive_count", "low", "high"),
    [(1, 15, 30), (2, 30, 60), (3, 60, 120), (5, 240, 480), (6, 450, 900), (40, 450, 900)],
)
def test_backoff_doubles_per_receive_with_jitter_and_a_cap(
    receive_count: int, low: int, high: int
) -> None:
    policy = Backoff(base=30, cap=900)
    delays = {policy.delay(receive_count, permanent=False, rng=random.Random(s)) for s in range(50)}
    assert min(delays) >= low
    assert max(delays) <= high
    assert len(delays) > 1  # jittered, so retries of a burst do not land together


def test_permanent_failures_wait_the_base_delay_only() -> None:
    assert Backoff(base=30, cap=900).delay(7, permanent=True) == 30


def test_a_transient_failure_hides_the_message_for_the_backoff() -> None:
    queue_email("Hi", SENDER, ["susan@example.com"], "text", "<p>html</p>")
    url = aws.queue_url()

    def slow_retries(event: dict[str, Any], context: Any) -> Any:
        return worker.handle_batch(event, backoff=Backoff(base=30, cap=900))

    with ses_faults(SesFaults(always=lambda _: THROTTLING)):
        assert poller.poll_once(aws.sqs(), url, slow_retries) == (1, 1)
    # The queue's visibility timeout is 0 in tests: only the backoff keeps it hidden now.
    assert poller.poll_once(aws.sqs(), url, run_worker) == (0, 0)
    assert queue_depth(url) == 1


def test_a_reset_job_for_a_suppressed_address_sends_nothing() -> None:
    accounts.register("susan", "susan@example.com", "correct horse battery staple")
    accounts.register("bob", "bob@example.com", "correct horse battery staple")
    settle_mail()  # the verification emails
    suppression.suppress("susan@example.com", "Bounce")
    password_reset.request_reset("susan@example.com", "192.0.2.1")
    password_reset.request_reset("bob@example.com", "192.0.2.1")
    drain_queue()
    assert [m.destinations[0] for m in sent_mail()] == ["bob@example.com"]


def run_fault_injection(good: int, seed: int, rate: float = 0.3) -> dict[str, Any]:
    """`good` emails (5 % queued twice) and poison through the real handler while 30 % of SES
    calls fail; returns the counts."""
    rng = random.Random(seed)
    url = aws.queue_url()
    sqs = aws.sqs()
    ids = [f"ok-{i:04d}" for i in range(good)]
    bodies = [
        json.dumps(email_body(i, recipients=(f"user{n}@example.com",))) for n, i in enumerate(ids)
    ]
    duplicates = rng.sample(bodies, k=max(1, good // 20))
    poison = [
        "{not json",
        json.dumps({"type": "mystery"}),
        json.dumps({"type": "email", "id": "no-recipients", "recipients": []}),
        json.dumps(email_body("unverified", sender="intruder@example.net")),  # SES rejects it
    ]
    messages = bodies + duplicates + poison
    rng.shuffle(messages)
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(chunk)]
        )
    faults = SesFaults(rate=rate, seed=seed)
    started = time.perf_counter()
    with ses_faults(faults):
        receives = drain_queue()
    elapsed = time.perf_counter() - started
    sent = Counter(str(m.message["Message-ID"]) for m in sent_mail())
    dead = dlq_bodies()
    counts = {
        "good": good,
        "duplicates": len(duplicates),
        "poison": len(poison),
        "ses_calls": faults.calls,
        "ses_faults": dict(sorted(faults.injected.items())),
        "sent": sum(sent.values()),
        "unique_sent": len(sent),
        "dead_lettered": len(dead),
        "left_in_queue": queue_depth(url),
        "receives": receives,
        "seconds": round(elapsed, 2),
    }
    print(f"\nfault injection: {counts}")
    assert sent == Counter({f"<{i}@example.com>": 1 for i in ids}), "each good email exactly once"
    assert sorted(dead) == sorted(poison), (
        "every poison message, and nothing else, is dead-lettered"
    )
    assert counts["left_in_queue"] == 0
    assert faults.injected.get("Throttling", 0) > 0
    assert (
        faults.injected.get("ServiceUnavailable", 0) + faults.injected.get("InternalFailure", 0) > 0
    )
    return counts


def test_fault_injection_100_emails() -> None:
    run_fault_injection(good=100, seed=100)


@pytest.mark.slow
def test_fault_injection_1000_emails() -> None:
    run_fault_injection(good=1000, seed=1000)


def test_fault_injection_helper_detects_a_broken_pipeline() -> None:
    """The fault test is not vacuous: with SES failing every call it fails."""
    with pytest.raises(AssertionError, match="exactly once"):
        run_fault_injection(good=3, seed=3, rate=1.0)


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
