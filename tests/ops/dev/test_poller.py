"""The local poller plays the SQS event source mapping: it leaves failed records to the queue's
own visibility timeout and redrive policy, exactly as Lambda's mapping does on AWS."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

from chalicelib import aws
from chalicelib.settings import get_settings
from ops.dev import poller
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.inbox import drain_queue, run_worker
from tests.helpers.mailkit import dlq_bodies, queue_depth


def fail_everything(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}


def test_poison_is_dead_lettered_by_the_queue_after_max_receives() -> None:
    aws.sqs().send_message(QueueUrl=aws.queue_url(), MessageBody="{poison")
    seen: Counter[str] = Counter()

    def counting(event: dict[str, Any], context: Any) -> Any:
        seen.update(r["body"] for r in event["Records"])
        return run_worker(event, context)

    drain_queue(counting)
    assert seen["{poison"] == get_settings().mail.max_receives
    assert dlq_bodies() == ["{poison"]
    assert queue_depth(aws.queue_url()) == 0


def test_a_failed_record_waits_for_the_queues_visibility_timeout() -> None:
    sqs = aws.sqs()
    url = sqs.create_queue(QueueName="slow-queue", Attributes={"VisibilityTimeout": "30"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    assert poller.poll_once(sqs, url, fail_everything) == (1, 1)
    assert poller.poll_once(sqs, url, fail_everything) == (0, 0)  # hidden, not deleted
    assert queue_depth(url) == 1


def test_successful_records_are_deleted_and_failed_ones_kept() -> None:
    sqs = aws.sqs()
    url = sqs.create_queue(QueueName="mixed-queue", Attributes={"VisibilityTimeout": "30"})[
        "QueueUrl"
    ]
    for n in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": n}))

    def odd_fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failed = [r for r in event["Records"] if json.loads(r["body"])["n"] % 2]
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in failed]}

    assert poller.poll_once(sqs, url, odd_fail) == (4, 2)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "2"
    assert attributes["ApproximateNumberOfMessages"] == "0"


def test_events_are_lambda_shaped_with_message_attributes() -> None:
    sqs = aws.sqs()
    sqs.send_message(
        QueueUrl=aws.queue_url(),
        MessageBody="{}",
        MessageAttributes={"origin-message-id": {"DataType": "String", "StringValue": "m-1"}},
    )
    events: list[dict[str, Any]] = []

    def keep(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        return {"batchItemFailures": []}

    poller.poll_once(sqs, aws.queue_url(), keep)
    [record] = events[0]["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":test-mail")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["origin-message-id"]["stringValue"] == "m-1"
    assert record["messageAttributes"]["origin-message-id"]["dataType"] == "String"


def test_a_long_poll_hands_over_a_message_as_soon_as_it_is_queued() -> None:
    sqs, url, handled = aws.sqs(), aws.queue_url(), []
    waiting = threading.Thread(
        target=lambda: handled.append(
            poller.poll_once(sqs, url, lambda e, c: run_worker(e, c), wait_seconds=20)
        )
    )
    calls = AWS_CALLS.record()
    waiting.start()
    while "sqs.ReceiveMessage" not in calls:  # the poll has gone out
        time.sleep(0.01)
    time.sleep(0.2)  # and is waiting on an empty queue
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"type": "nothing"}))
    waiting.join(timeout=15)  # before the 20 s wait runs out
    assert handled == [(1, 1)]  # received (and failed: an unknown message type)
