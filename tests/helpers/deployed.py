"""What `make deploy` left on the emulator, checked by name (tests/ops/deploy/test_deploy.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import boto3

from chalicelib.auth.keys import parse_keyring
from ops.deploy.bytecode import function_package, missing_bytecode
from ops.deploy.gateway_responses import PAGE_TYPES, RESPONSES
from ops.deploy.monitoring import ALARM, DASHBOARD, Watched
from ops.deploy.resources import stage_resources
from ops.stages import Stage
from tests.helpers.project import packaging

STAGE = "dev"
REGION = "us-east-1"


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
    with packaging():
        package = function_package(project)  # built already: the zip Chalice uploaded
        assert package is not None
        assert missing_bytecode(package) == []
        code = base64.b64encode(hashlib.sha256(package.read_bytes()).digest()).decode()
    for handler, name in names.items():
        config = functions.get_function_configuration(FunctionName=name)
        assert config["CodeSha256"] == code  # the package with our modules' bytecode
        wanted = stage.config["lambda_functions"][handler]
        assert config["MemorySize"] == wanted["lambda_memory_size"]
        assert config["Timeout"] == wanted["lambda_timeout"]
        assert config["Environment"]["Variables"] == dict(stage.environment)
        assert [layer["Arn"].split(":")[-2] for layer in config["Layers"]] == [
            f"{stage.app_name}-{STAGE}-managed-layer"
        ]
        role = config["Role"].rsplit("/", 1)[-1]
        assert role == f"{stage.app_name}-{STAGE}-{handler}"  # a role of its own
        (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        policy = json.loads((project / ".chalice" / f"policy-{STAGE}-{handler}.json").read_text())
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
    """API Gateway's own answers speak the app's problem+json shape, and an unknown path has
    the not-found page for a browser (its content type the picked template's)."""
    apigateway = client(endpoint, "apigateway")
    for response_type, (status, error, _detail) in RESPONSES.items():
        found = apigateway.get_gateway_response(restApiId=api_id, responseType=response_type)
        assert found.get("statusCode") == (str(status) if status else None), response_type
        body = json.loads(found["responseTemplates"]["application/json"])
        assert body["error"] == error
        content_type = found["responseParameters"].get("gatewayresponse.header.Content-Type")
        if response_type in PAGE_TYPES:
            assert content_type is None
            assert "Page Not Found" in found["responseTemplates"]["text/html"]
        else:
            assert content_type == "'application/problem+json'"


def check_watch(endpoint: str, stage: Stage) -> None:
    """Every declared alarm, on the alarm topic, and the stage's dashboard."""
    declared = stage_resources(stage.settings({"AWS_DEFAULT_REGION": REGION}), Watched.of(stage))
    alarms = {r["Properties"]["AlarmName"] for r in declared.values() if r["Type"] == ALARM}
    cloudwatch = client(endpoint, "cloudwatch")
    described = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert set(described) == alarms
    topic = f":{stage.app_name}-{STAGE}-alarms"
    assert all(a["AlarmActions"][0].endswith(topic) for a in described.values())
    (dashboard,) = [r["Properties"] for r in declared.values() if r["Type"] == DASHBOARD]
    entries = cloudwatch.list_dashboards()["DashboardEntries"]
    assert [e["DashboardName"] for e in entries] == [dashboard["DashboardName"]]


def check_bounds(endpoint: str, stage: Stage, api_id: str) -> None:
    """The bill's bounds: the API stage's throttling, the API function's reserved concurrency."""
    ops = stage.ops_settings()
    settings = client(endpoint, "apigateway").get_stage(restApiId=api_id, stageName="api")
    throttled = settings["methodSettings"]["*/*"]
    assert (throttled["throttlingRateLimit"], throttled["throttlingBurstLimit"]) == (
        ops.api_rate_limit,
        ops.api_burst_limit,
    )
    wanted = stage.config["stages"][STAGE]["lambda_functions"]["api_handler"]
    name = stage.function_names()["api_handler"]
    reserved = client(endpoint, "lambda").get_function_concurrency(FunctionName=name)
    assert reserved["ReservedConcurrentExecutions"] == wanted["reserved_concurrency"]
