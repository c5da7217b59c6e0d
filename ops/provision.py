"""Create what Chalice does not: tables, the mail queue, the SES sender identity. Idempotent.

python -m ops.provision        # uses the environment (AWS_ENDPOINT_URL honoured)
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import TYPE_CHECKING, Any

import boto3

from chalicelib.settings import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger("provision")


@functools.cache
def _client(service: str, region: str) -> Any:
    """One client per service and region for this process (client creation is slow)."""
    return boto3.client(service, region_name=region)  # type: ignore[call-overload]


def _table(dynamodb: DynamoDBClient, name: str, ttl_attribute: str | None = None) -> None:
    existing = dynamodb.list_tables()["TableNames"]
    if name not in existing:
        dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            SSESpecification={"Enabled": True},
        )
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        log.info("created table %s", name)
    if ttl_attribute:
        status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if status.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
            )


def provision(settings: Settings) -> dict[str, str]:
    """Create (or find) every resource the app needs; returns their names and URLs."""
    region = settings.region
    dynamodb: DynamoDBClient = _client("dynamodb", region)
    _table(dynamodb, settings.users_table)
    _table(dynamodb, settings.state_table, ttl_attribute="expires_at")
    sqs = _client("sqs", region)
    queue_url = sqs.create_queue(
        QueueName=settings.queue_name,
        Attributes={"VisibilityTimeout": "60", "SqsManagedSseEnabled": "true"},
    )["QueueUrl"]
    ses = _client("ses", region)
    ses.verify_email_identity(EmailAddress=settings.mail_sender)
    return {"queue_url": queue_url, "sender": settings.mail_sender}


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = provision(get_settings())
    for name, value in result.items():
        log.info("%s: %s", name, value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
