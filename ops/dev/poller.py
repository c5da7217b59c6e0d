"""Play Lambda's SQS event source mapping locally: receive, invoke the handler, delete.

`chalice local` does not run SQS handlers; `make dev` runs this beside it, and the tests
drive the queue with the same code.

Like the real mapping (with ReportBatchItemFailures), the poller deletes what succeeded and
leaves failed records alone: they come back after the queue's visibility timeout (or the
backoff the worker set), and the queue's own redrive policy moves a message to the
dead-letter queue after maxReceiveCount receives. SQS (and moto, which does the move on
receive) applies both, so the poller never counts receives or sets visibility itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageTypeDef

Handler = Callable[[dict[str, Any], Any], Any]
_queue_arns: dict[str, str] = {}  # queue URL -> ARN (a URL names one queue for good)


def _lambda_attribute(value: MessageAttributeValueOutputTypeDef) -> dict[str, Any]:
    """SQS API attributes (StringValue) as Lambda spells them in events (stringValue)."""
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value["DataType"],
    }


def lambda_event(messages: list[MessageTypeDef], queue_arn: str) -> dict[str, Any]:
    """The event Lambda would build for these received messages."""
    region = queue_arn.split(":")[3]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: _lambda_attribute(value)
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def poll_once(
    sqs: SQSClient, queue_url: str, handler: Handler, wait_seconds: int = 0, batch_size: int = 10
) -> tuple[int, int]:
    """Receive one batch and run it through `handler`; returns (received, failed).

    Records named in `batchItemFailures` stay on the queue and come back after the
    visibility timeout, exactly as with a mapping that has ReportBatchItemFailures.
    """
    received = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=batch_size,
        WaitTimeSeconds=wait_seconds,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    if not received:
        return 0, 0
    if queue_url not in _queue_arns:
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        _queue_arns[queue_url] = arn["Attributes"]["QueueArn"]
    event = lambda_event(received, _queue_arns[queue_url])
    result = handler(event, None) or {}
    failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
    done = [m for m in received if m["MessageId"] not in failed]
    for start in range(0, len(done), 10):
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(done[start : start + 10])
            ],
        )
    return len(received), len(failed)
