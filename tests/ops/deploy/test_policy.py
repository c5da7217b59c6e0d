"""The IAM policy files and function settings `chalice deploy` uses, checked against the code.

Expected resources come from each stage's Settings and the Chalice app's own functions;
expected actions from the boto3 and PynamoDB calls found in chalicelib (plus what Lambda's
SQS event source mapping needs), so a new call or resource fails here until the policy
(ops/deploy/policy.py, then `make policies`) allows it.
"""

from __future__ import annotations

import ast
import json
from typing import Any

import boto3
import pytest
from chalice.app import SQSEventConfig
from chalice.config import Config

import app as app_module
from chalicelib.settings import Settings
from ops.deploy.policy import policy_document
from ops.deploy.provision import provision
from ops.stages import PROJECT_DIR, Stage, load_config, load_stage

POLICY_STAGES = [
    name for name, stage in load_config()["stages"].items() if stage.get("iam_policy_file")
]
CHALICELIB = PROJECT_DIR / "chalicelib"
# Lambda polls the queue for the worker, with the worker's role.
EVENT_SOURCE_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
# PynamoDB Model / TransactWrite methods -> the DynamoDB action each needs.
PYNAMODB_CALLS = {
    "get": "GetItem",
    "refresh": "GetItem",
    "save": "PutItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "condition_check": "ConditionCheckItem",
    "query": "Query",
    "count": "Query",
    "scan": "Scan",
    "batch_get": "BatchGetItem",
    "batch_write": "BatchWriteItem",
    "exists": "DescribeTable",
}
LOG_ACTIONS = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def app_functions() -> set[str]:
    """The Lambda functions `chalice deploy` makes from app.py, by Chalice handler name."""
    app = app_module.app
    names = {source.name for source in app.event_sources}
    names |= {function.name for function in app.pure_lambda_functions}
    if app.routes:
        names.add("api_handler")
    return names


def client_factories() -> dict[str, str]:
    """chalicelib/aws.py's lazy client functions -> the boto3 service each returns."""
    tree = ast.parse((CHALICELIB / "aws.py").read_text())
    factories = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "client"
                    and isinstance(call.args[0], ast.Constant)
                ):
                    factories[node.name] = str(call.args[0].value)
    return factories


def boto3_actions_in_code() -> set[str]:
    """IAM actions of every `<client>().<operation>(...)` call in chalicelib."""
    factories = client_factories()
    actions = set()
    for path in CHALICELIB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            if not isinstance(receiver, ast.Call):
                continue
            # `sqs().op(...)` or `aws.sqs().op(...)`
            factory = getattr(receiver.func, "id", None) or getattr(receiver.func, "attr", None)
            if factory in factories:
                service = factories[factory]
                client = boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]
                operation = client.meta.method_to_api_mapping[node.func.attr]
                if service == "sqs":  # SQS's batch calls are allowed by their one-message action
                    operation = operation.removesuffix("Batch")
                actions.add(f"{service}:{operation}")
    return actions


def pynamodb_actions_in_code() -> set[str]:
    """DynamoDB actions of PynamoDB-looking calls in modules that use PynamoDB.

    Static and generous: `.get(` or `.update(` on a dict counts too, which only ever asks
    for an action the code needs anyway.
    """
    actions = set()
    for path in CHALICELIB.rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        if not any(m.startswith("pynamodb") or m == "chalicelib.models" for m in imported):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in PYNAMODB_CALLS
            ):
                actions.add(f"dynamodb:{PYNAMODB_CALLS[node.func.attr]}")
    return actions


def policy(stage: str) -> dict[str, Any]:
    filename = load_config()["stages"][stage]["iam_policy_file"]
    document: dict[str, Any] = json.loads((PROJECT_DIR / ".chalice" / filename).read_text())
    return document


def expected_resources(stage: Stage, settings: Settings) -> set[str]:
    prefix = f"{stage.app_name}-{stage.name}"
    log_groups = {
        f"arn:aws:logs:*:*:log-group:/aws/lambda/"
        f"{prefix if name == 'api_handler' else prefix + '-' + name}:*"
        for name in app_functions()
    }
    return {
        f"arn:aws:dynamodb:*:*:table/{settings.users_table}",
        f"arn:aws:dynamodb:*:*:table/{settings.state_table}",
        f"arn:aws:sqs:*:*:{settings.queue_name}",
        f"arn:aws:ssm:*:*:parameter{settings.secret_parameter}",
        "arn:aws:kms:*:*:key/*",  # conditioned on the parameter, see below
        f"arn:aws:ses:*:*:identity/{settings.mail_sender}",
        *log_groups,
    }


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_policy_names_exactly_the_resources_the_stage_uses(stage_name: str) -> None:
    stage = load_stage(stage_name)
    settings = stage.settings()
    statements = [s for s in policy(stage_name)["Statement"] if set(s["Action"]) - RESOURCELESS]
    named = {resource for s in statements for resource in s["Resource"]}
    assert named == expected_resources(stage, settings)
    assert all(s["Effect"] == "Allow" for s in statements)


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_policy_allows_exactly_the_actions_the_code_calls(stage_name: str) -> None:
    statements = policy(stage_name)["Statement"]
    allowed = {action for s in statements for action in s["Action"]}
    used, tables = boto3_actions_in_code(), pynamodb_actions_in_code()
    assert used, "found no boto3 calls: the scan is broken"
    assert tables, "found no PynamoDB calls: the scan is broken"
    assert allowed == (
        used | tables | INDIRECT_CALLS | EVENT_SOURCE_ACTIONS | LOG_ACTIONS | {"kms:Decrypt"}
    )
    for s in statements:  # and each action only on its own service's resources
        if set(s["Action"]) <= RESOURCELESS:
            assert s["Resource"] == ["*"]
            continue
        services = {a.split(":")[0] for a in s["Action"]}
        assert services == {r.split(":")[2] for r in s["Resource"]}


# Actions IAM grants on "*" only (they name no resource); each in a statement of its own.
RESOURCELESS = {"ses:GetSendQuota"}
# Calls made through a client held in a variable, which the static scan cannot follow.
INDIRECT_CALLS = {"ses:SendRawEmail"}


def test_the_indirect_calls_are_still_made() -> None:
    transports = (CHALICELIB / "mail" / "transports.py").read_text()
    assert "aws.ses()" in transports
    assert ".send_raw_email(" in transports


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_key_decryption_is_pinned_to_the_signing_keys(stage_name: str) -> None:
    settings = load_stage(stage_name).settings()
    (decrypt,) = [s for s in policy(stage_name)["Statement"] if "kms:Decrypt" in s["Action"]]
    assert decrypt["Condition"] == {
        "StringLike": {
            "kms:ViaService": "ssm.*.amazonaws.com",
            "kms:EncryptionContext:PARAMETER_ARN": (
                f"arn:aws:ssm:*:*:parameter{settings.secret_parameter}"
            ),
        }
    }


def test_every_function_has_its_memory_and_timeout() -> None:
    configured = load_config()["lambda_functions"]
    assert set(configured) == app_functions()
    for settings in configured.values():
        assert set(settings) == {"lambda_memory_size", "lambda_timeout"}


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_deployed_stages_use_their_policy_file(stage_name: str) -> None:
    stage = load_config()["stages"][stage_name]
    assert stage["autogen_policy"] is False
    assert stage["iam_policy_file"] == f"policy-{stage_name}.json"
    assert load_config()["automatic_layer"] is True


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_the_worker_timeout_fits_the_queue_visibility_timeout(stage_name: str) -> None:
    """SQS requires visibility >= the function timeout; AWS advises six times it."""
    (worker,) = [s.name for s in app_module.app.event_sources if isinstance(s, SQSEventConfig)]
    config = Config(chalice_stage=stage_name, function_name=worker, config_from_disk=load_config())
    settings = load_stage(stage_name).settings()
    provision(settings)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    visibility = int(attributes["Attributes"]["VisibilityTimeout"])
    assert config.lambda_timeout is not None
    assert visibility >= 6 * config.lambda_timeout


def test_policy_files_are_what_make_policies_writes() -> None:
    for stage_name in POLICY_STAGES:
        stage = load_stage(stage_name)
        generated = policy_document(stage.settings(), stage.function_names().values())
        assert generated == policy(stage_name)
