"""The resources half of the CloudFormation path: merged into `chalice package`'s SAM template.

Chalice packages the functions, the REST API and the SQS event source; this template adds
everything they use, exactly as ops/deploy/resources.py declares it for the stage (the same
declaration `make deploy` provisions with boto3): both tables, the mail queue with its
dead-letter queue, the SNS topic and the SES sender, configuration set and event destination,
the signing keyring. What only this path has is added here: an alarm on the dead-letter
queue's depth, the function names (so log groups and the IAM policy can name them), the
roles' least-privilege policy with this stack's ARNs, and the outputs.

The keyring: CloudFormation cannot create an SSM SecureString. It creates the declared
Secrets Manager secret, whose value it generates itself (never in the template), and SSM
reads that secret through `/aws/reference/secretsmanager/<name>`, so the app still calls
ssm:GetParameter and rotation (ops/admin/rotate_key.py) works the same.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chalice.utils import to_cfn_resource_name

from ops.deploy import gateway_responses
from ops.deploy.policy import policy_document
from ops.deploy.resources import configuration_set_name, stage_resources
from ops.keyring import SECRETS_MANAGER_REFERENCE
from ops.stages import API_HANDLER, Stage


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


def _alarm() -> dict[str, Any]:
    """Only on this path: an alarm on the dead-letter queue's depth, and its topic."""
    return {
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
    configuration_set = configuration_set_name(settings)
    functions = stage.function_names()
    declared = stage_resources(settings)
    resources = {**declared, **_alarm()}
    for handler, function_name in functions.items():
        resources[logical_id(handler)] = {
            # Created after what they use (Chalice names the queue in the event source's
            # ARN instead of referencing it, so CloudFormation would not wait otherwise).
            "DependsOn": list(declared),
            "Properties": {
                "FunctionName": function_name,
                "Environment": {
                    "Variables": {
                        "SECRET_KEY_PARAMETER": reference,
                        "SES_CONFIGURATION_SET": configuration_set,
                    }
                },
            },
        }
    stack_settings = dataclasses.replace(
        settings,
        secret_parameter=reference,
        mail=dataclasses.replace(settings.mail, configuration_set=configuration_set),
    )
    document = policy_document(stack_settings, functions.values(), cfn_arn)
    for handler in functions:  # without autogen_policy, Chalice gives each function a role
        resources[role_logical_id(handler)] = {
            "Properties": {
                "Policies": [{"PolicyName": "LeastPrivilege", "PolicyDocument": document}]
            }
        }
    # API Gateway's own answers in the app's error shape, deployed with the API.
    resources["RestAPI"] = {
        "Properties": {"GatewayResponses": gateway_responses.sam_gateway_responses()}
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
