"""The resources half of the CloudFormation path: merged into `chalice package`'s SAM template.

Chalice packages the functions, the REST API and the SQS event source; this template adds
everything they use, exactly as ops/deploy/resources.py declares it for the stage (the same
declaration `make deploy` provisions with boto3): both tables, the mail queue with its
dead-letter queue, the SNS topic and the SES sender, configuration set and event destination,
the signing keyring, and what watches the stage (alarm topic, alarms, dashboard). What only
this path needs is added here: the function names (so log groups and the IAM policies can
name them), each role's least-privilege policy with this stack's ARNs, the API stage's
throttling, the outputs, and three Parameters: PublicBaseUrl, SenderAddress and AlarmEmail
(defaults from the stage), so one `sam deploy --parameter-overrides ...` sets them.

The keyring: CloudFormation cannot create an SSM SecureString. It creates the declared
Secrets Manager secret, whose value it generates itself (never in the template), and SSM
reads that secret through `/aws/reference/secretsmanager/<name>`, so the app still calls
ssm:GetParameter and rotation (ops/admin/rotate_key.py) works the same.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chalice.utils import to_cfn_resource_name

from chalicelib.settings import Settings
from chalicelib.web import not_found
from ops.deploy import gateway_responses
from ops.deploy.monitoring import Watched
from ops.deploy.policy import policy_document
from ops.deploy.resources import Resource, configuration_set_name, stage_resources
from ops.keyring import SECRETS_MANAGER_REFERENCE
from ops.stages import API_HANDLER, Stage

SENDER, ALARM_EMAIL = "${SenderAddress}", "${AlarmEmail}"  # stand-ins, made Ref/Fn::Sub below
HAS_ALARM_EMAIL = "HasAlarmEmail"


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


def parameterise(value: Any) -> Any:
    """Stand-ins for Parameters as CloudFormation takes them: a whole string becomes a Ref,
    a string holding one an Fn::Sub; inside an Fn::Sub they are substituted already."""
    if isinstance(value, list):
        return [parameterise(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            return value
        return {key: parameterise(item) for key, item in value.items()}
    if isinstance(value, str) and value in (SENDER, ALARM_EMAIL):
        return {"Ref": value[2:-1]}
    if isinstance(value, str) and (SENDER in value or ALARM_EMAIL in value):
        return {"Fn::Sub": value}
    return value


def stack_settings(stage: Stage) -> Settings:
    """The stage's Settings as the stack's functions see them: the keyring behind its SSM
    reference, the configuration set always used, the sender a Parameter."""
    settings = stage.settings()
    return dataclasses.replace(
        settings,
        secret_parameter=keyring_reference(settings.secret_parameter),
        admins=(SENDER, *settings.admins[1:]),
        mail=dataclasses.replace(settings.mail, configuration_set=configuration_set_name(settings)),
    )


def stack_resources(stage: Stage) -> dict[str, Resource]:
    """The stage's declaration as this stack holds it: sender and alarm address Parameters."""
    watched = Watched.of(stage)
    watched = dataclasses.replace(
        watched, ops=dataclasses.replace(watched.ops, alarm_email=ALARM_EMAIL)
    )
    plain = stage.settings()
    declared = stage_resources(
        dataclasses.replace(plain, admins=(SENDER, *plain.admins[1:])), watched
    )
    resources: dict[str, Resource] = parameterise(declared)
    resources["AlarmSubscription"]["Condition"] = HAS_ALARM_EMAIL
    return resources


def _parameters(stage: Stage) -> dict[str, Any]:
    settings, ops = stage.settings(), stage.ops_settings()
    return {
        "PublicBaseUrl": {
            "Type": "String",
            "Default": settings.public_base_url,
            "AllowedPattern": "https://[^/?#]+(/[^?#]*)?",
            "Description": "The site's public URL, which every emailed link starts with "
            "(the EndpointURL output, without its trailing slash, or your custom domain).",
        },
        "SenderAddress": {
            "Type": "String",
            "Default": settings.mail_sender,
            "Description": "The address the mail is sent from (SES verifies it first).",
        },
        "AlarmEmail": {
            "Type": "String",
            "Default": ops.alarm_email,
            "Description": "Who the alarms mail (empty: the alarm topic only).",
        },
    }


def _functions(stage: Stage, declared: dict[str, Resource]) -> dict[str, Resource]:
    """Each function's name, environment from the Parameters, and the role's own policy."""
    settings, functions = stack_settings(stage), stage.function_names()
    admins = {"Fn::Join": [",", [{"Ref": "SenderAddress"}, *settings.admins[1:]]]}
    resources: dict[str, Resource] = {}
    for handler, function_name in functions.items():
        variables = {
            "SECRET_KEY_PARAMETER": settings.secret_parameter,
            "SES_CONFIGURATION_SET": settings.mail.configuration_set,
            "PUBLIC_BASE_URL": {"Ref": "PublicBaseUrl"},
            "ADMINS": admins,
        }
        resources[logical_id(handler)] = {
            # Created after what they use (Chalice names the queue in the event source's
            # ARN instead of referencing it, so CloudFormation would not wait otherwise).
            "DependsOn": [name for name, r in declared.items() if "Condition" not in r],
            "Properties": {"FunctionName": function_name, "Environment": {"Variables": variables}},
        }
        document = parameterise(policy_document(settings, handler, function_name, cfn_arn))
        policies = [{"PolicyName": "LeastPrivilege", "PolicyDocument": document}]
        # Without autogen_policy, Chalice gives each function a role of its own.
        resources[role_logical_id(handler)] = {"Properties": {"Policies": policies}}
    return resources


def _rest_api(stage: Stage) -> Resource:
    """API Gateway's own answers in the app's shapes (the not-found page's links under the
    PublicBaseUrl parameter), and the stage's throttling."""
    ops = stage.ops_settings()
    page = not_found.page("${PublicBaseUrl}", stack_settings(stage).brand.name)
    throttling = {
        "ResourcePath": "/*",
        "HttpMethod": "*",
        "ThrottlingRateLimit": ops.api_rate_limit,
        "ThrottlingBurstLimit": ops.api_burst_limit,
    }
    return {
        "Properties": {
            "GatewayResponses": gateway_responses.sam_gateway_responses({"Fn::Sub": page}),
            "MethodSettings": [throttling],
        }
    }


def resources_template(stage: Stage) -> dict[str, Any]:
    """The --merge-template for `chalice package --stage <stage>`."""
    declared = stack_resources(stage)
    resources = {**declared, **_functions(stage, declared), "RestAPI": _rest_api(stage)}
    return {
        "Parameters": _parameters(stage),
        "Conditions": {HAS_ALARM_EMAIL: {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}},
        "Resources": resources,
        "Outputs": {
            "MailQueueUrl": {"Value": {"Ref": "MailQueue"}},
            "MailDeadLetterQueueUrl": {"Value": {"Ref": "MailDeadLetterQueue"}},
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
            "SigningKeysParameter": {"Value": stack_settings(stage).secret_parameter},
        },
    }


def deep_merge(base: Any, overlay: Any) -> Any:
    """Chalice's merge rule: dicts merge key by key, anything else is replaced by `overlay`."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        return {**base, **{key: deep_merge(base.get(key), value) for key, value in overlay.items()}}
    return overlay
