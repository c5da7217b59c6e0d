"""Remove what ops.provision created for a stage; the data stays unless asked.

Used by `make destroy` after `chalice delete`. Queues (and their dead-letter queue) go;
the tables and the signing keyring are data and go only with delete_data; the SES sender
identity goes unless another stage of .chalice/config.json sends from the same address.
"""

from __future__ import annotations

import json
import logging

import boto3
from botocore.exceptions import ClientError

from chalicelib.settings import Settings

log = logging.getLogger("teardown")

_GONE = frozenset(
    {
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "ResourceNotFoundException",
        "ParameterNotFound",
    }
)


def _ignore_missing(exc: ClientError) -> None:
    if exc.response["Error"]["Code"] not in _GONE:
        raise exc


def _delete_queues(settings: Settings) -> list[str]:
    """The mail queue and whatever dead-letter queue its redrive policy names."""
    sqs = boto3.client("sqs", region_name=settings.region)
    try:
        url = sqs.get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
    except ClientError as exc:
        _ignore_missing(exc)
        return []
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    urls = [url]
    redrive = attributes.get("Attributes", {}).get("RedrivePolicy")
    if redrive:
        dead_letter = json.loads(redrive)["deadLetterTargetArn"].rsplit(":", 1)[-1]
        try:
            urls.append(sqs.get_queue_url(QueueName=dead_letter)["QueueUrl"])
        except ClientError as exc:
            _ignore_missing(exc)
    for queue in urls:
        sqs.delete_queue(QueueUrl=queue)
    return [f"queue {queue.rsplit('/', 1)[-1]}" for queue in urls]


def teardown(settings: Settings, delete_data: bool, senders_elsewhere: set[str]) -> list[str]:
    """Delete the stage's provisioned resources; returns what was removed.

    `senders_elsewhere`: lower-cased sender addresses of other stages (their SES identity stays).
    """
    removed = _delete_queues(settings)
    if settings.mail_sender.lower() not in senders_elsewhere:
        boto3.client("ses", region_name=settings.region).delete_identity(
            Identity=settings.mail_sender
        )
        removed.append(f"SES identity {settings.mail_sender}")
    if not delete_data:
        return removed
    dynamodb = boto3.client("dynamodb", region_name=settings.region)
    for table in (settings.users_table, settings.state_table):
        try:
            dynamodb.delete_table(TableName=table)
            removed.append(f"table {table}")
        except ClientError as exc:
            _ignore_missing(exc)
    if settings.secret_parameter:
        try:
            boto3.client("ssm", region_name=settings.region).delete_parameter(
                Name=settings.secret_parameter
            )
            removed.append(f"parameter {settings.secret_parameter}")
        except ClientError as exc:
            _ignore_missing(exc)
    return removed
