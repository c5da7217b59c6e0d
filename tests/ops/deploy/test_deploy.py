"""`make deploy` for real: the Chalice CLI against a moto server, then `make destroy`.

Runs `python -m ops.deploy.deploy` (what `make deploy` runs) in a subprocess with
AWS_ENDPOINT_URL pointing at a moto server (tests/helpers/emulator.py explains its two shims),
and checks what landed there by name (tests/helpers/deployed.py): functions and their code,
layer, a role per function, SQS event source, REST API, alarms and dashboard, the bounds on the
bill, and the base URL a first deploy fills in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib.auth.keys import parse_keyring
from ops.stages import load_stage
from tests.helpers.deployed import (
    REGION,
    STAGE,
    check_bounds,
    check_event_source,
    check_functions,
    check_gateway_responses,
    check_provisioned,
    check_rest_api,
    check_watch,
    client,
    snapshot,
)
from tests.helpers.emulator import ROOT, moto_server
from tests.helpers.project import packaging


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


def test_deploy_redeploy_rotate_and_destroy(endpoint: str, project_copy: Path) -> None:
    stage = load_stage(STAGE, project_copy)
    project = ("--project-dir", str(project_copy))
    deploy = ("-m", "ops.deploy.deploy", "deploy", "--stage", STAGE, *project)

    started = time.monotonic()
    with packaging():
        output = run_ops(endpoint, *deploy)
    first_deploy = time.monotonic() - started
    # The placeholder base URL became the API's, in the config (later deploys keep it).
    placeholder = stage.settings({"AWS_DEFAULT_REGION": REGION}).public_base_url
    stage = load_stage(STAGE, project_copy)
    api_url = stage.settings({"AWS_DEFAULT_REGION": REGION}).public_base_url
    assert f"PUBLIC_BASE_URL of stage dev was the placeholder {placeholder}" in output.stderr
    assert f"it is now the API's URL, {api_url}" in output.stderr
    assert api_url.endswith(".execute-api.us-east-1.amazonaws.com/api")

    check_functions(endpoint, stage, project_copy)  # the new base URL in their environment
    check_event_source(endpoint, stage)
    api_id = check_rest_api(endpoint, stage)
    assert api_id in api_url
    check_gateway_responses(endpoint, api_id)
    check_watch(endpoint, stage)
    check_bounds(endpoint, stage, api_id)
    kid = check_provisioned(endpoint, stage)
    before = snapshot(endpoint, stage)

    started = time.monotonic()
    with packaging():
        output = run_ops(endpoint, *deploy)
    second_deploy = time.monotonic() - started
    assert "PUBLIC_BASE_URL" not in output.stderr  # it is the API's now: nothing to say
    check_functions(endpoint, stage, project_copy)
    after = snapshot(endpoint, stage)
    # Same functions, code, mapping and API. (Chalice republishes the layer as a new
    # version on every deploy; its content is unchanged.)
    assert after == before
    assert check_provisioned(endpoint, stage) == kid  # the keyring was not regenerated

    run_ops(endpoint, "-m", "ops.admin.rotate_key", "--stage", STAGE)
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

    destroy = ("-m", "ops.deploy.deploy", "destroy", "--stage", STAGE, *project)
    run_ops(endpoint, *destroy)
    assert client(endpoint, "lambda").list_functions()["Functions"] == []
    assert client(endpoint, "lambda").list_event_source_mappings()["EventSourceMappings"] == []
    assert api_id not in {a["id"] for a in client(endpoint, "apigateway").get_rest_apis()["items"]}
    assert client(endpoint, "sqs").list_queues().get("QueueUrls", []) == []
    assert client(endpoint, "cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert client(endpoint, "cloudwatch").list_dashboards()["DashboardEntries"] == []
    tables = set(client(endpoint, "dynamodb").list_tables()["TableNames"])
    assert {settings.users_table, settings.state_table} <= tables  # data kept
    run_ops(endpoint, *destroy, "--delete-data")
    assert client(endpoint, "dynamodb").list_tables()["TableNames"] == []
    print(f"\nfirst deploy {first_deploy:.1f}s, second deploy {second_deploy:.1f}s")
