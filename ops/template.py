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
from ops.stages import API_HANDLER, Stage

# The mail queue as ops/provision.py creates it (tests/test_template.py compares the two).
MAIL_QUEUE_VISIBILITY_TIMEOUT = 60
MAIL_QUEUE_RETENTION = 4 * 24 * 3600  # SQS's default
MAIL_QUEUE_MAX_RECEIVES = 5
DEAD_LETTER_RETENTION = 14 * 24 * 3600
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
                    "QueueName": f"{settings.queue_name}-dlq",
                    "MessageRetentionPeriod": DEAD_LETTER_RETENTION,
                    "SqsManagedSseEnabled": True,
                },
            }
        ),
        "MailQueue": _transient(
            {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": settings.queue_name,
                    "VisibilityTimeout": MAIL_QUEUE_VISIBILITY_TIMEOUT,
                    "MessageRetentionPeriod": MAIL_QUEUE_RETENTION,
                    "SqsManagedSseEnabled": True,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["MailDeadLetterQueue", "Arn"]},
                        "maxReceiveCount": MAIL_QUEUE_MAX_RECEIVES,
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
            "DependsOn": ["MailQueue", "UsersTable", "StateTable", "SigningKeys"],
            "Properties": {
                "FunctionName": function_name,
                "Environment": {"Variables": {"SECRET_KEY_PARAMETER": reference}},
            },
        }
    document = policy_document(
        dataclasses.replace(settings, secret_parameter=reference), functions.values(), cfn_arn
    )
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
