"""Create what Chalice does not: tables, the mail queues and their events topic, the SES
sender identity and, for deployed stages, the signing keyring. Idempotent: a second run
changes nothing.

python -m ops.provision                # settings from the environment (make dev, tests)
python -m ops.provision --stage prod   # settings from .chalice/config.json's stage
AWS_ENDPOINT_URL is honoured by boto3.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.errors import ConfigError
from chalicelib.settings import Settings, get_settings
from ops.rotate_key import KeyStore
from ops.stages import cli_logging, load_stage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

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


# Fourteen days, SQS's maximum: a dead letter waits for an operator that long.
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
_QUEUE_EXISTS = ("QueueAlreadyExists", "AWS.SimpleQueueService.QueueNameExists")


def _queue(sqs: SQSClient, name: str, attributes: dict[QueueAttributeNameType, str]) -> str:
    """Create the queue, or bring an existing one to these attributes; returns its URL."""
    try:
        return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _QUEUE_EXISTS:
            raise
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    log.info("updated queue %s", name)
    return url


def mail_queues(sqs: SQSClient, settings: Settings) -> tuple[str, str]:
    """The mail queue and its dead-letter queue, joined by a redrive policy: (url, dlq url).

    After MAIL_MAX_RECEIVES receives without a delete, SQS moves a message to the DLQ.
    """
    mail = settings.mail
    encrypted: dict[QueueAttributeNameType, str] = {"SqsManagedSseEnabled": "true"}
    dlq_url = _queue(
        sqs, mail.dlq_name, {**encrypted, "MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    )
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(mail.max_receives)}
    queue_url = _queue(
        sqs,
        settings.queue_name,
        {
            **encrypted,
            "VisibilityTimeout": str(mail.visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )
    return queue_url, dlq_url


def mail_events_topic(ses: SESClient, settings: Settings) -> str:
    """The SNS topic SES publishes bounces and complaints of the sender identity to."""
    sns: SNSClient = _client("sns", settings.region)
    topic_arn = sns.create_topic(Name=settings.mail.events_topic)["TopicArn"]
    for kind in ("Bounce", "Complaint"):
        ses.set_identity_notification_topic(
            Identity=settings.mail_sender, NotificationType=kind, SnsTopic=topic_arn
        )
    return topic_arn


def configuration_set(ses: SESClient, name: str) -> None:
    """The optional SES configuration set (SES_CONFIGURATION_SET) the worker sends with."""
    try:
        ses.create_configuration_set(ConfigurationSet={"Name": name})
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConfigurationSetAlreadyExists":
            raise


def provision(settings: Settings) -> dict[str, str]:
    """Create (or find) every resource the app needs; returns their names and URLs."""
    region = settings.region
    dynamodb: DynamoDBClient = _client("dynamodb", region)
    _table(dynamodb, settings.users_table)
    _table(dynamodb, settings.state_table, ttl_attribute="expires_at")
    sqs: SQSClient = _client("sqs", region)
    queue_url, dlq_url = mail_queues(sqs, settings)
    ses: SESClient = _client("ses", region)
    result = {"queue_url": queue_url, "dlq_url": dlq_url}
    result.update(_sender_and_keyring(settings))
    result["mail_events_topic"] = mail_events_topic(ses, settings)
    if settings.mail.configuration_set:
        configuration_set(ses, settings.mail.configuration_set)
    return result


# -- deploy (issue 5): the SES sender and the signing keyring ------------------------------
def _sender_identity(ses: SESClient, address: str) -> str:
    """Ask SES to verify `address` unless it is verified or pending (SES mails a link each ask)."""
    attributes = ses.get_identity_verification_attributes(Identities=[address])
    found = attributes["VerificationAttributes"].get(address)
    status = found["VerificationStatus"] if found else None
    if status in ("Success", "Pending"):
        return str(status)
    ses.verify_email_identity(EmailAddress=address)
    log.info("asked SES to verify %s: open the link AWS mails to it", address)
    return "Pending"


def _sender_and_keyring(settings: Settings) -> dict[str, str]:
    ses: SESClient = _client("ses", settings.region)
    result = {
        "sender": settings.mail_sender,
        "sender_status": _sender_identity(ses, settings.mail_sender),
    }
    if settings.secret_parameter:  # a deployed stage: the keyring lives in SSM
        created = KeyStore(settings.secret_parameter, settings.region).create()
        result["keyring"] = f"{settings.secret_parameter} ({'created' if created else 'kept'})"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create what Chalice does not. Idempotent.")
    parser.add_argument("--stage", help="a stage of .chalice/config.json (default: environment)")
    args = parser.parse_args(argv)
    cli_logging()
    try:
        result = provision(load_stage(args.stage).settings() if args.stage else get_settings())
    except ConfigError as exc:
        raise SystemExit(f"provisioning failed: {exc}") from None
    for name, value in result.items():
        log.info("%s: %s", name, value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
