"""Remove what ops.deploy.provision created for a stage, from the same declaration; data stays.

Used by `make destroy` after `chalice delete`. Walks ops/deploy/resources.py's declaration in
reverse: resources with DeletionPolicy "Retain" (the tables, the signing keyring) are data
and go only with delete_data; the rest go. The SES sender identity stays while another stage
of .chalice/config.json sends from the same address. Deleting what is already gone is fine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.settings import Settings
from ops.deploy import monitoring
from ops.deploy import resources as declared

log = logging.getLogger("teardown")

_GONE = frozenset(
    {
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "ResourceNotFoundException",
        "ParameterNotFound",
        "ConfigurationSetDoesNotExist",
        "NotFound",
    }
)


def _ignore_missing(exc: ClientError) -> None:
    if exc.response["Error"]["Code"] not in _GONE:
        raise exc


@dataclass(frozen=True)
class Teardown:
    """What a deleter needs beyond the declared properties."""

    settings: Settings
    senders_elsewhere: set[str]

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.settings.region)  # type: ignore[call-overload]


def _table(t: Teardown, properties: dict[str, Any]) -> list[str]:
    try:
        t.client("dynamodb").delete_table(TableName=properties["TableName"])
    except ClientError as exc:
        _ignore_missing(exc)
        return []
    return [f"table {properties['TableName']}"]


def _queue(t: Teardown, properties: dict[str, Any]) -> list[str]:
    """The queue and whatever dead-letter queue its live redrive policy names (which is not
    the declared one if MAIL_DLQ changed since provisioning)."""
    sqs = t.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=properties["QueueName"])["QueueUrl"]
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


def _topic(t: Teardown, properties: dict[str, Any]) -> list[str]:
    """Found by name (SNS deletes a missing topic silently, so look first to report truly)."""
    sns, name = t.client("sns"), properties["TopicName"]
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                sns.delete_topic(TopicArn=topic["TopicArn"])
                return [f"topic {name}"]
    return []


def _email_identity(t: Teardown, properties: dict[str, Any]) -> list[str]:
    address = properties["EmailIdentity"]
    if address.lower() in t.senders_elsewhere:
        return []
    t.client("ses").delete_identity(Identity=address)  # its notification settings go with it
    return [f"SES identity {address}"]


def _configuration_set(t: Teardown, properties: dict[str, Any]) -> list[str]:
    """Only a set the stage sends with: provisioning creates no other (see provision.py)."""
    name = properties["Name"]
    if name != t.settings.mail.configuration_set:
        return []
    ses = t.client("ses")
    try:
        ses.describe_configuration_set(ConfigurationSetName=name)
    except ClientError as exc:
        _ignore_missing(exc)
        return []
    ses.delete_configuration_set(ConfigurationSetName=name)
    return [f"configuration set {name}"]


def _event_destination(_t: Teardown, _properties: dict[str, Any]) -> list[str]:
    """Provisioned as identity notifications: they go with the sender identity."""
    return []


def _keyring(t: Teardown, _properties: dict[str, Any]) -> list[str]:
    """Provisioned as the SSM parameter SECRET_KEY_PARAMETER (see provision.py)."""
    parameter = t.settings.secret_parameter
    try:
        t.client("ssm").delete_parameter(Name=parameter)
    except ClientError as exc:
        _ignore_missing(exc)
        return []
    return [f"parameter {parameter}"]


def _alarm(t: Teardown, properties: dict[str, Any]) -> list[str]:
    """DeleteAlarms ignores names it does not know: look first to report truly."""
    cloudwatch, name = t.client("cloudwatch"), properties["AlarmName"]
    if not cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]:
        return []
    cloudwatch.delete_alarms(AlarmNames=[name])
    return [f"alarm {name}"]


def _dashboard(t: Teardown, properties: dict[str, Any]) -> list[str]:
    cloudwatch, name = t.client("cloudwatch"), properties["DashboardName"]
    if not cloudwatch.list_dashboards(DashboardNamePrefix=name)["DashboardEntries"]:
        return []
    cloudwatch.delete_dashboards(DashboardNames=[name])
    return [f"dashboard {name}"]


def _subscription(_t: Teardown, _properties: dict[str, Any]) -> list[str]:
    """Goes with its topic."""
    return []


_DELETERS: dict[str, Callable[[Teardown, dict[str, Any]], list[str]]] = {
    declared.TABLE: _table,
    declared.QUEUE: _queue,
    declared.TOPIC: _topic,
    declared.EMAIL_IDENTITY: _email_identity,
    declared.CONFIGURATION_SET: _configuration_set,
    declared.EVENT_DESTINATION: _event_destination,
    declared.KEYRING: _keyring,
    monitoring.ALARM: _alarm,
    monitoring.DASHBOARD: _dashboard,
    monitoring.SUBSCRIPTION: _subscription,
}


def teardown(
    settings: Settings,
    delete_data: bool,
    senders_elsewhere: set[str],
    watched: monitoring.Watched | None = None,
) -> list[str]:
    """Delete the stage's provisioned resources; returns what was removed.

    `senders_elsewhere`: lower-cased sender addresses of other stages (their SES identity stays).
    `watched`: a deployed stage's functions, to delete what watched them as well.
    """
    context = Teardown(settings, senders_elsewhere)
    removed: list[str] = []
    for resource in reversed(declared.stage_resources(settings, watched).values()):
        if resource["DeletionPolicy"] == "Retain" and not delete_data:
            continue
        removed += _DELETERS[resource["Type"]](context, resource["Properties"])
    return removed
