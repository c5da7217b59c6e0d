"""The worker's retries: exponential backoff with jitter and a cap, the message hidden for it, and
every good email sent exactly once while SES fails 30 % of the time (fault injection)."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from typing import Any

import pytest

from chalicelib import aws, worker
from chalicelib.mail.composing import compose_email, queue
from chalicelib.worker import Backoff
from ops.dev import poller
from tests.helpers.inbox import drain_queue, run_worker, sent_mail
from tests.helpers.mailkit import (
    SENDER,
    THROTTLING,
    SesFaults,
    dlq_bodies,
    email_body,
    queue_depth,
    ses_faults,
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
    queue(compose_email("Hi", SENDER, ["susan@example.com"], "text", "<p>html</p>"))
    url = aws.queue_url()

    def slow_retries(event: dict[str, Any], context: Any) -> Any:
        return worker.handle_batch(event, backoff=Backoff(base=30, cap=900))

    with ses_faults(SesFaults(always=lambda _: THROTTLING)):
        assert poller.poll_once(aws.sqs(), url, slow_retries) == (1, 1)
    # The queue's visibility timeout is 0 in tests: only the backoff keeps it hidden now.
    assert poller.poll_once(aws.sqs(), url, run_worker) == (0, 0)
    assert queue_depth(url) == 1


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
