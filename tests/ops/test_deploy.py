"""`make deploy` for real: the Chalice CLI against a moto server, then `make destroy`.

Runs `python -m ops.deploy` (what `make deploy` runs) in a subprocess with
AWS_ENDPOINT_URL pointing at a moto server (tests/emulator.py explains its two shims), and
checks what landed there by name: functions, layer, roles, SQS event source, REST API.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.auth.keys import parse_keyring
from ops.gateway_responses import RESPONSES
from ops.stages import Stage, load_stage
from tests.helpers.emulator import ROOT, moto_server
from tests.helpers.project import packaging

STAGE = "dev"
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """No in-process moto here: every call goes to the moto server over HTTP."""


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    with moto_server(tmp_path / "moto.log") as url:
        yield url


def run_ops(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": REGION}
    result = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


def snapshot(endpoint: str, stage: Stage) -> dict[str, Any]:
    """What a deploy leaves behind, by name (for comparing two deploys)."""
    functions = client(endpoint, "lambda")
    configs = {
        name: functions.get_function_configuration(FunctionName=name)
        for name in stage.function_names().values()
    }
    layer_arn = configs[f"{stage.app_name}-{STAGE}"]["Layers"][0]["Arn"]
    layer = functions.get_layer_version_by_arn(Arn=layer_arn)
    return {
        "code": {name: config["CodeSha256"] for name, config in configs.items()},
        "layer_code": layer["Content"]["CodeSha256"],
        "mappings": sorted(
            (m["UUID"], m["EventSourceArn"], m["FunctionArn"])
            for m in functions.list_event_source_mappings()["EventSourceMappings"]
        ),
        "apis": sorted(
            api["id"] for api in client(endpoint, "apigateway").get_rest_apis()["items"]
        ),
    }


def check_functions(endpoint: str, stage: Stage, project: Path) -> None:
    functions = client(endpoint, "lambda")
    iam = client(endpoint, "iam")
    names = stage.function_names()
    deployed = {f["FunctionName"] for f in functions.list_functions()["Functions"]}
    assert deployed == set(names.values())
    policy = json.loads((project / ".chalice" / f"policy-{STAGE}.json").read_text())
    for handler, name in names.items():
        config = functions.get_function_configuration(FunctionName=name)
        wanted = stage.config["lambda_functions"][handler]
        assert config["MemorySize"] == wanted["lambda_memory_size"]
        assert config["Timeout"] == wanted["lambda_timeout"]
        assert config["Environment"]["Variables"] == dict(stage.environment)
        assert [layer["Arn"].split(":")[-2] for layer in config["Layers"]] == [
            f"{stage.app_name}-{STAGE}-managed-layer"
        ]
        role = config["Role"].rsplit("/", 1)[-1]
        assert role == f"{stage.app_name}-{STAGE}-{handler}"
        (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        assert (json.loads(document) if isinstance(document, str) else document) == policy


def check_event_source(endpoint: str, stage: Stage) -> None:
    settings = stage.settings({"AWS_DEFAULT_REGION": REGION})
    worker = stage.function_names()["mail_worker"]
    # (moto's FunctionName filter matches ARNs only: list all and look.)
    (mapping,) = client(endpoint, "lambda").list_event_source_mappings()["EventSourceMappings"]
    queue_url = client(endpoint, "sqs").get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
    queue_arn = client(endpoint, "sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    assert mapping["EventSourceArn"] == queue_arn
    assert mapping["FunctionArn"].endswith(f":function:{worker}")
    assert mapping["BatchSize"] == 10
    assert mapping["State"] == "Enabled"
    # Set by the post-deploy step: Chalice leaves it off.
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # The bounce handler listens on the SES events topic.
    sns = client(endpoint, "sns")
    (topic,) = [
        t["TopicArn"]
        for t in sns.list_topics()["Topics"]
        if t["TopicArn"].endswith(f":{settings.mail.events_topic}")
    ]
    endpoints = {
        s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    }
    events = stage.function_names()["mail_events"]
    assert any(e.endswith(f":function:{events}") for e in endpoints), endpoints


def check_rest_api(endpoint: str, stage: Stage) -> str:
    apigateway = client(endpoint, "apigateway")
    (api,) = apigateway.get_rest_apis()["items"]
    assert api["name"] == stage.app_name
    assert [s["stageName"] for s in apigateway.get_stages(restApiId=api["id"])["item"]] == ["api"]
    resources = {r["path"]: r for r in apigateway.get_resources(restApiId=api["id"])["items"]}
    assert {"/", "/login", "/reset_password/{token}", "/api/users", "/api/health"} <= set(resources)
    api_function = stage.function_names()["api_handler"]
    for path, method in (("/reset_password/{token}", "POST"), ("/api/users", "POST")):
        integration = apigateway.get_integration(
            restApiId=api["id"], resourceId=resources[path]["id"], httpMethod=method
        )
        assert integration["type"].upper() == "AWS_PROXY"  # moto keeps the swagger spelling
        assert f":function:{api_function}/invocations" in integration["uri"]
    permission = json.loads(
        client(endpoint, "lambda").get_policy(FunctionName=api_function)["Policy"]
    )
    assert any(
        s["Principal"] == {"Service": "apigateway.amazonaws.com"}
        and api["id"] in json.dumps(s.get("Condition", {}))
        for s in permission["Statement"]
    )
    return str(api["id"])


def check_provisioned(endpoint: str, stage: Stage) -> str:
    """Tables, TTL and keyring exist; returns the keyring's current kid."""
    settings = stage.settings({"AWS_DEFAULT_REGION": REGION})
    dynamodb = client(endpoint, "dynamodb")
    assert {settings.users_table, settings.state_table} <= set(dynamodb.list_tables()["TableNames"])
    ttl = dynamodb.describe_time_to_live(TableName=settings.state_table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    parameter = client(endpoint, "ssm").get_parameter(
        Name=settings.secret_parameter, WithDecryption=True
    )["Parameter"]
    assert parameter["Type"] == "SecureString"
    return parse_keyring(parameter["Value"]).current.kid


def check_gateway_responses(endpoint: str, api_id: str) -> None:
    """API Gateway's own answers speak the app's problem+json shape."""
    apigateway = client(endpoint, "apigateway")
    for response_type, (status, error, _detail) in RESPONSES.items():
        found = apigateway.get_gateway_response(restApiId=api_id, responseType=response_type)
        assert found.get("statusCode") == (str(status) if status else None), response_type
        body = json.loads(found["responseTemplates"]["application/json"])
        assert body["error"] == error
        content_type = found["responseParameters"]["gatewayresponse.header.Content-Type"]
        assert content_type == "'application/problem+json'"


def test_deploy_redeploy_rotate_and_destroy(endpoint: str, project_copy: Path) -> None:
    stage = load_stage(STAGE, project_copy)
    deploy = ("-m", "ops.deploy", "deploy", "--stage", STAGE, "--project-dir", str(project_copy))

    started = time.monotonic()
    with packaging():
        output = run_ops(endpoint, *deploy)
    first_deploy = time.monotonic() - started
    assert "PUBLIC_BASE_URL of stage dev" in output.stderr  # the placeholder is pointed out

    check_functions(endpoint, stage, project_copy)
    check_event_source(endpoint, stage)
    api_id = check_rest_api(endpoint, stage)
    check_gateway_responses(endpoint, api_id)
    kid = check_provisioned(endpoint, stage)
    before = snapshot(endpoint, stage)

    started = time.monotonic()
    with packaging():
        run_ops(endpoint, *deploy)
    second_deploy = time.monotonic() - started
    after = snapshot(endpoint, stage)
    # Same functions, code, mapping and API. (Chalice republishes the layer as a new
    # version on every deploy; its content is unchanged.)
    assert after == before
    assert check_provisioned(endpoint, stage) == kid  # the keyring was not regenerated

    run_ops(endpoint, "-m", "ops.rotate_key", "--stage", STAGE)
    settings = stage.settings({"AWS_DEFAULT_REGION": REGION})
    rotated = parse_keyring(
        client(endpoint, "ssm").get_parameter(Name=settings.secret_parameter, WithDecryption=True)[
            "Parameter"
        ]["Value"]
    )
    assert rotated.previous[0].kid == kid
    assert rotated.current.kid != kid
    for name in stage.function_names().values():  # containers recycled
        config = client(endpoint, "lambda").get_function_configuration(FunctionName=name)
        assert "KEYRING_ROTATED_AT" in config["Environment"]["Variables"]

    destroy = ("-m", "ops.deploy", "destroy", "--stage", STAGE, "--project-dir", str(project_copy))
    run_ops(endpoint, *destroy)
    assert client(endpoint, "lambda").list_functions()["Functions"] == []
    assert client(endpoint, "lambda").list_event_source_mappings()["EventSourceMappings"] == []
    assert api_id not in {a["id"] for a in client(endpoint, "apigateway").get_rest_apis()["items"]}
    assert client(endpoint, "sqs").list_queues().get("QueueUrls", []) == []
    tables = set(client(endpoint, "dynamodb").list_tables()["TableNames"])
    assert {settings.users_table, settings.state_table} <= tables  # data kept
    run_ops(endpoint, *destroy, "--delete-data")
    assert client(endpoint, "dynamodb").list_tables()["TableNames"] == []
    print(f"\nfirst deploy {first_deploy:.1f}s, second deploy {second_deploy:.1f}s")
