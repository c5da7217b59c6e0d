"""Together the functions' policies allow exactly the AWS actions the code calls.

Expected actions come from the boto3 and PynamoDB calls found in chalicelib (plus what
Lambda's SQS event source mapping needs), so a new call fails here until a policy
(ops/deploy/policy.py, then `make policies`) allows it.
"""

from __future__ import annotations

import ast

import boto3
import pytest

from ops.stages import PROJECT_DIR
from tests.helpers.policies import POLICY_STAGES, actions, policies

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


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_together_the_policies_allow_exactly_the_actions_the_code_calls(stage_name: str) -> None:
    documents = policies(stage_name)
    allowed = set().union(*(actions(d) for d in documents.values()))
    used, tables = boto3_actions_in_code(), pynamodb_actions_in_code()
    assert used, "found no boto3 calls: the scan is broken"
    assert tables, "found no PynamoDB calls: the scan is broken"
    assert allowed == (
        used | tables | INDIRECT_CALLS | EVENT_SOURCE_ACTIONS | LOG_ACTIONS | {"kms:Decrypt"}
    )
    for document in documents.values():  # and each action only on its own service's resources
        for s in document["Statement"]:
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
