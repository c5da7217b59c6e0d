"""A stage's stateful AWS resources, declared once, in CloudFormation's resource shape.

A stage reaches AWS by one of two paths (docs/deploy.md): `make deploy` creates these
resources with boto3 (provision.py) before `chalice deploy`, and `make package` merges them
into the SAM template (template.py); `make destroy` removes them (teardown.py).
All three read this one declaration, so a table, queue, topic or SES setting cannot drift
between the paths. Names come from the stage's Settings (.chalice/config.json).

Each resource is {"Type", "Properties", "DeletionPolicy", "UpdateReplacePolicy"}, exactly
as CloudFormation takes it. DeletionPolicy "Retain" marks data: kept when a stack or a
stage is destroyed unless data deletion is asked for. Order matters: a resource comes after
the resources it references, as provisioning creates them in order (teardown reverses it).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.settings import Settings
from ops.deploy.monitoring import Watched, monitoring_resources

Resource = dict[str, Any]

# Fourteen days, SQS's maximum: a dead letter waits for an operator that long.
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
MAIL_QUEUE_RETENTION_SECONDS = 4 * 24 * 3600  # SQS's default, stated so both paths agree
KEY_LENGTH = 64  # characters of the generated signing key (CloudFormation path)
TTL_ATTRIBUTE = "expires_at"  # the TTLAttribute of the models kept in the state table

TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"
EMAIL_IDENTITY = "AWS::SES::EmailIdentity"
CONFIGURATION_SET = "AWS::SES::ConfigurationSet"
EVENT_DESTINATION = "AWS::SES::ConfigurationSetEventDestination"
KEYRING = "AWS::SecretsManager::Secret"  # provisioned as an SSM SecureString


def ref(logical_id: str) -> dict[str, str]:
    """CloudFormation's Ref: a table's or topic's name/ARN, a queue's URL."""
    return {"Ref": logical_id}


def get_att(logical_id: str, attribute: str) -> dict[str, list[str]]:
    """CloudFormation's Fn::GetAtt, e.g. a queue's Arn."""
    return {"Fn::GetAtt": [logical_id, attribute]}


def _data(kind: str, properties: dict[str, Any]) -> Resource:
    """Data: kept when the stack or the stage is destroyed, unless data deletion is asked."""
    policy = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    return {"Type": kind, "Properties": properties, **policy}


def _transient(kind: str, properties: dict[str, Any]) -> Resource:
    """Transport or configuration, not data: deleted with the stack or the stage."""
    policy = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
    return {"Type": kind, "Properties": properties, **policy}


def _table(name: str, ttl_attribute: str | None = None, sort_key: str | None = None) -> Resource:
    """A table keyed by `pk`, and by `sort_key` within it when given: items are addressed by
    key only (no index: docs/deploy.md says why)."""
    keys = [("pk", "HASH")] + ([(sort_key, "RANGE")] if sort_key else [])
    properties: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
        "KeySchema": [{"AttributeName": k, "KeyType": kind} for k, kind in keys],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    if ttl_attribute:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl_attribute, "Enabled": True}
    return _data(TABLE, properties)


def configuration_set_name(settings: Settings) -> str:
    """The stage's SES configuration set: SES_CONFIGURATION_SET, or one named after the queue."""
    return settings.mail.configuration_set or f"{settings.queue_name}-config"


def keyring_secret_name(settings: Settings) -> str:
    """The Secrets Manager name of the keyring: SECRET_KEY_PARAMETER without its leading '/'."""
    return settings.secret_parameter.lstrip("/")


def _mail(settings: Settings) -> dict[str, Resource]:
    """The queue pipeline: the mail queue redriving to its dead-letter queue."""
    mail = settings.mail
    return {
        "MailDeadLetterQueue": _transient(
            QUEUE,
            {
                "QueueName": mail.dlq_name,
                "MessageRetentionPeriod": DLQ_RETENTION_SECONDS,
                "SqsManagedSseEnabled": True,
            },
        ),
        # After max_receives receives without a delete, SQS moves a message to the DLQ.
        "MailQueue": _transient(
            QUEUE,
            {
                "QueueName": settings.queue_name,
                "VisibilityTimeout": mail.visibility_timeout,
                "MessageRetentionPeriod": MAIL_QUEUE_RETENTION_SECONDS,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {
                    "deadLetterTargetArn": get_att("MailDeadLetterQueue", "Arn"),
                    "maxReceiveCount": mail.max_receives,
                },
            },
        ),
    }


def _ses(settings: Settings) -> dict[str, Resource]:
    """The sender, and bounces and complaints published to the topic mail_events listens on."""
    return {
        "MailEventsTopic": _transient(TOPIC, {"TopicName": settings.mail.events_topic}),
        "SenderIdentity": _transient(EMAIL_IDENTITY, {"EmailIdentity": settings.mail_sender}),
        "MailConfigurationSet": _transient(
            CONFIGURATION_SET, {"Name": configuration_set_name(settings)}
        ),
        "MailEventsDestination": _transient(
            EVENT_DESTINATION,
            {
                "ConfigurationSetName": ref("MailConfigurationSet"),
                "EventDestination": {
                    "Name": "bounces-and-complaints",
                    "Enabled": True,
                    "MatchingEventTypes": ["bounce", "complaint"],
                    "SnsDestination": {"TopicARN": ref("MailEventsTopic")},
                },
            },
        ),
    }


def _keyring(settings: Settings) -> Resource:
    """The signing keyring, its value generated by the deploy path, never written here.

    CloudFormation generates {"previous": "", "current": <KEY_LENGTH characters>} itself;
    provisioning stores the same JSON format as an SSM SecureString (ops/deploy/provision.py).
    """
    return _data(
        KEYRING,
        {
            "Name": keyring_secret_name(settings),
            "Description": "microblog signing keyring (JSON: current, previous)",
            "GenerateSecretString": {
                "SecretStringTemplate": json.dumps({"previous": ""}),
                "GenerateStringKey": "current",
                "PasswordLength": KEY_LENGTH,
                "ExcludePunctuation": True,
            },
        },
    )


def stage_resources(settings: Settings, watched: Watched | None = None) -> dict[str, Resource]:
    """Logical id -> resource, in creation order, for the stage these Settings describe.

    The keyring is declared only for deployed stages (SECRET_KEY_PARAMETER set): locally
    (`make dev`, the tests) the app signs with SECRET_KEY from its environment. What watches
    a deployed stage's functions (alarm topic, alarms, dashboard: ops/deploy/monitoring.py)
    comes last, for the functions `watched` names.
    """
    resources = {
        "UsersTable": _table(settings.users_table),
        "StateTable": _table(settings.state_table, ttl_attribute=TTL_ATTRIBUTE),
        # An account's events and sessions, newest last within it (sort key `sk`).
        "ActivityTable": _table(
            settings.owner.activity_table, ttl_attribute=TTL_ATTRIBUTE, sort_key="sk"
        ),
        **_mail(settings),
        **_ses(settings),
    }
    if settings.secret_parameter:
        resources["SigningKeys"] = _keyring(settings)
    if watched is not None:
        resources.update(monitoring_resources(settings, watched))
    return resources
