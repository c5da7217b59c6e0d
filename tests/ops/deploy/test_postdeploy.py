"""The `chalice deploy` path: postdeploy turns on ReportBatchItemFailures (moto's Lambda)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest

from chalicelib import aws
from chalicelib.settings import load_settings
from ops.deploy import postdeploy


def a_function(name: str) -> str:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def mail_worker(event, context):\n    return {}\n")
    return boto3.client("lambda", region_name="us-east-1").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.mail_worker",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]


def queue_arn() -> str:
    attributes = aws.sqs().get_queue_attributes(
        QueueUrl=aws.queue_url(), AttributeNames=["QueueArn"]
    )
    return attributes["Attributes"]["QueueArn"]


def deployed_stage(tmp_path: Path, function_arn: str, uuid: str) -> Path:
    """What `chalice deploy` records in .chalice/deployed/<stage>.json (the parts we read)."""
    folder = tmp_path / ".chalice" / "deployed"
    folder.mkdir(parents=True)
    resources = [
        {"name": "mail_worker", "resource_type": "lambda_function", "lambda_arn": function_arn},
        {
            "name": "mail_worker-sqs-event-source",
            "resource_type": "sqs_event",
            "queue_arn": queue_arn(),
            "event_uuid": uuid,
            "queue": "test-mail",
            "lambda_arn": function_arn,
        },
    ]
    path = folder / "dev.json"
    path.write_text(json.dumps({"resources": resources, "schema_version": "2.0", "backend": "api"}))
    return path


def test_sets_report_batch_item_failures_once_and_only_on_our_mapping(tmp_path: Path) -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    ours = a_function("microblog-accounts-dev-mail_worker")
    other = a_function("someone-elses-function")
    # As chalice 1.34 does it: FunctionName is the function's ARN, no FunctionResponseTypes.
    mapping = client.create_event_source_mapping(
        EventSourceArn=queue_arn(), FunctionName=ours, BatchSize=10
    )
    untouched = client.create_event_source_mapping(EventSourceArn=queue_arn(), FunctionName=other)
    assert not client.get_event_source_mapping(UUID=mapping["UUID"]).get("FunctionResponseTypes")
    deployed = deployed_stage(tmp_path, ours, mapping["UUID"])

    assert postdeploy.postdeploy(client, deployed) == {queue_arn(): [mapping["UUID"]]}
    assert client.get_event_source_mapping(UUID=mapping["UUID"])["FunctionResponseTypes"] == [
        "ReportBatchItemFailures"
    ]
    assert client.get_event_source_mapping(UUID=mapping["UUID"])["ScalingConfig"] == {
        "MaximumConcurrency": postdeploy.DEFAULT_MAXIMUM_CONCURRENCY
    }
    assert not client.get_event_source_mapping(UUID=untouched["UUID"]).get("FunctionResponseTypes")
    # Idempotent: the second run finds it set and changes nothing.
    assert postdeploy.main(["--stage", "dev", "--project-dir", str(tmp_path)]) == 0
    assert postdeploy.postdeploy(client, deployed) == {queue_arn(): []}


def test_refuses_a_stage_without_sqs_event_sources(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"resources": [], "schema_version": "2.0"}))
    with pytest.raises(SystemExit, match="no SQS event source"):
        postdeploy.postdeploy(boto3.client("lambda", region_name="us-east-1"), path)


def test_both_deploy_paths_cap_the_worker_at_the_concurrency_the_rate_is_shared_by() -> None:
    from ops.deploy.package import FRAGMENTS_DIR
    from tests.helpers.environment import TEST_ENV

    fragment = json.loads((FRAGMENTS_DIR / "sqs-batch-failures.json").read_text())
    events = fragment["Resources"]["MailWorker"]["Properties"]["Events"]
    scaling = events["MailWorkerSqsEventSource"]["Properties"]["ScalingConfig"]
    default = load_settings(TEST_ENV).mail.max_concurrency
    assert scaling["MaximumConcurrency"] == postdeploy.DEFAULT_MAXIMUM_CONCURRENCY == default


def test_the_api_stage_is_throttled_at_the_stage_rate_and_burst() -> None:
    apigateway = boto3.client("apigateway", region_name="us-east-1")
    api = apigateway.create_rest_api(name="microblog-accounts")["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(
        restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigateway.create_deployment(restApiId=api, stageName="api")
    assert postdeploy.throttle_stage(apigateway, api, "api", rate=50, burst=100) == {
        "rate": 50.0,
        "burst": 100.0,
    }
    # Again, with other limits: replaced, not added.
    postdeploy.throttle_stage(apigateway, api, "api", rate=5, burst=10)
    settings = apigateway.get_stage(restApiId=api, stageName="api")["methodSettings"]
    assert list(settings) == ["*/*"]
    assert (settings["*/*"]["throttlingRateLimit"], settings["*/*"]["throttlingBurstLimit"]) == (
        5.0,
        10,
    )
