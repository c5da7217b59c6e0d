"""The resources half of the CloudFormation path: merged into `chalice package`'s SAM template.

Chalice packages the functions, the REST API and the SQS event source; this template adds
everything they use, named from the stage's Settings: both tables, the mail queue with its
dead-letter queue, the signing keyring, the SES sender identity and an alarm on the
dead-letter queue's depth. It also pins the function names (so log groups and the IAM
policy can name them) and gives the roles the least-privilege policy with this stack's ARNs.

The keyring: CloudFormation cannot create an SSM SecureString. It can create a Secrets
Manager secret whose value it generates itself (never in the template), and SSM reads that
secret through `/aws/reference/secretsmanager/<name>`, so the app still calls
ssm:GetParameter and rotation (ops/rotate_key.py) works the same.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from chalice.utils import to_cfn_resource_name

from ops.policy import SECRETS_MANAGER_REFERENCE, policy_document
from ops.provision import DLQ_RETENTION_SECONDS
from ops.stages import API_HANDLER, Stage

MAIL_QUEUE_RETENTION = 4 * 24 * 3600  # SQS's default
KEY_LENGTH = 64


def cfn_arn(service: str, resource: str) -> dict[str, str]:
    """An ARN in this stack's partition, region and account."""
    partition, region, account = "${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}"
    return {"Fn::Sub": f"arn:{partition}:{service}:{region}:{account}:{resource}"}


def logical_id(handler: str) -> str:
    """The resource name Chalice gives a function in its SAM template."""
    return "APIHandler" if handler == API_HANDLER else to_cfn_resource_name(handler)


def role_logical_id(handler: str) -> str:
    """The resource name of the role Chalice creates for a function (autogen_policy off)."""
    return to_cfn_resource_name(f"{handler}_role")


def keyring_reference(parameter: str) -> str:
    """The SSM name that reads the stage's keyring secret from Secrets Manager."""
    return SECRETS_MANAGER_REFERENCE + parameter.lstrip("/")


def _retained(resource: dict[str, Any]) -> dict[str, Any]:
    """Data: kept when the stack is deleted (as `make destroy` keeps it)."""
    return {**resource, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def _transient(resource: dict[str, Any]) -> dict[str, Any]:
    """Transport, not data: deleted with the stack (as `make destroy` does)."""
    return {**resource, "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}


def _table(name: str, ttl_attribute: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    if ttl_attribute:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl_attribute, "Enabled": True}
    return _retained({"Type": "AWS::DynamoDB::Table", "Properties": properties})


def configuration_set_name(stage: Stage) -> str:
    """The SES configuration set of the stack: the stage's own, or one named after the queue."""
    settings = stage.settings()
    return settings.mail.configuration_set or f"{settings.queue_name}-config"


def _stack_resources(stage: Stage) -> dict[str, Any]:
    settings = stage.settings()
    secret_name = settings.secret_parameter.lstrip("/")
    return {
        "UsersTable": _table(settings.users_table),
        "StateTable": _table(settings.state_table, ttl_attribute="expires_at"),
        "MailDeadLetterQueue": _transient(
            {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": settings.mail.dlq_name,
                    "MessageRetentionPeriod": DLQ_RETENTION_SECONDS,
                    "SqsManagedSseEnabled": True,
                },
            }
        ),
        "MailQueue": _transient(
            {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": settings.queue_name,
                    "VisibilityTimeout": settings.mail.visibility_timeout,
                    "MessageRetentionPeriod": MAIL_QUEUE_RETENTION,
                    "SqsManagedSseEnabled": True,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["MailDeadLetterQueue", "Arn"]},
                        "maxReceiveCount": settings.mail.max_receives,
                    },
                },
            }
        ),
        "SigningKeys": _retained(
            {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "Name": secret_name,
                    "Description": "microblog signing keyring (JSON: current, previous)",
                    "GenerateSecretString": {
                        "SecretStringTemplate": json.dumps({"previous": ""}),
                        "GenerateStringKey": "current",
                        "PasswordLength": KEY_LENGTH,
                        "ExcludePunctuation": True,
                    },
                },
            }
        ),
        "SenderIdentity": {
            "Type": "AWS::SES::EmailIdentity",
            "Properties": {"EmailIdentity": settings.mail_sender},
        },
        # Bounces and complaints: SES publishes the configuration set's events to the topic
        # the mail_events function subscribes to (ops/provision.py uses identity
        # notifications instead; chalicelib/suppression.py reads both formats).
        "MailEventsTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": settings.mail.events_topic},
        },
        "MailConfigurationSet": {
            "Type": "AWS::SES::ConfigurationSet",
            "Properties": {"Name": configuration_set_name(stage)},
        },
        "MailEventsDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": "MailConfigurationSet"},
                "EventDestination": {
                    "Name": "bounces-and-complaints",
                    "Enabled": True,
                    "MatchingEventTypes": ["bounce", "complaint"],
                    "SnsDestination": {"TopicARN": {"Ref": "MailEventsTopic"}},
                },
            },
        },
        "AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "MailDeadLetterAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "Emails are waiting in the mail dead-letter queue.",
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [
                    {
                        "Name": "QueueName",
                        "Value": {"Fn::GetAtt": ["MailDeadLetterQueue", "QueueName"]},
                    }
                ],
                "Statistic": "Maximum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "AlarmTopic"}],
            },
        },
    }


def resources_template(stage: Stage) -> dict[str, Any]:
    """The --merge-template for `chalice package --stage <stage>`."""
    settings = stage.settings()
    reference = keyring_reference(settings.secret_parameter)
    functions = stage.function_names()
    resources = _stack_resources(stage)
    for handler, function_name in functions.items():
        resources[logical_id(handler)] = {
            # Created after what they use (Chalice names the queue in the event source's
            # ARN instead of referencing it, so CloudFormation would not wait otherwise).
            "DependsOn": [
                "MailQueue",
                "MailEventsTopic",
                "MailConfigurationSet",
                "UsersTable",
                "StateTable",
                "SigningKeys",
            ],
            "Properties": {
                "FunctionName": function_name,
                "Environment": {
                    "Variables": {
                        "SECRET_KEY_PARAMETER": reference,
                        "SES_CONFIGURATION_SET": configuration_set_name(stage),
                    }
                },
            },
        }
    stack_settings = dataclasses.replace(
        settings,
        secret_parameter=reference,
        mail=dataclasses.replace(settings.mail, configuration_set=configuration_set_name(stage)),
    )
    document = policy_document(stack_settings, functions.values(), cfn_arn)
    for handler in functions:  # without autogen_policy, Chalice gives each function a role
        resources[role_logical_id(handler)] = {
            "Properties": {
                "Policies": [{"PolicyName": "LeastPrivilege", "PolicyDocument": document}]
            }
        }
    return {
        "Resources": resources,
        "Outputs": {
            "MailQueueUrl": {"Value": {"Ref": "MailQueue"}},
            "MailDeadLetterQueueUrl": {"Value": {"Ref": "MailDeadLetterQueue"}},
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
            "SigningKeysParameter": {"Value": reference},
        },
    }


def deep_merge(base: Any, overlay: Any) -> Any:
    """Chalice's merge rule: dicts merge key by key, anything else is replaced by `overlay`."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        return {**base, **{key: deep_merge(base.get(key), value) for key, value in overlay.items()}}
    return overlay
