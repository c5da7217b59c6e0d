"""The `chalice package` path: the merge-template fragment turns on ReportBatchItemFailures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAGMENT = ROOT / ".chalice" / "merge-sqs-batch-failures.json"


def chalice_package(out: Path, *extra: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run(  # noqa: S603 - our own venv's chalice, fixed arguments
        [str(chalice), "package", "--stage", "dev", *extra, str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    template: dict[str, Any] = json.loads((out / "sam.json").read_text())
    return template


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return chalice_package(tmp_path_factory.mktemp("package"), "--merge-template", str(FRAGMENT))


def test_the_fragment_sets_function_response_types_on_the_sqs_event(
    packaged: dict[str, Any],
) -> None:
    event = packaged["Resources"]["MailWorker"]["Properties"]["Events"]["MailWorkerSqsEventSource"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Merged, not replaced: Chalice's own properties are still there.
    assert event["Properties"]["BatchSize"] == 10
    assert event["Properties"]["Queue"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:microblog-dev-mail"
    }


def test_the_bounce_handler_subscribes_to_the_stage_topic(packaged: dict[str, Any]) -> None:
    events = packaged["Resources"]["MailEvents"]["Properties"]["Events"]
    [subscription] = events.values()
    assert subscription["Type"] == "SNS"
    assert subscription["Properties"]["Topic"]["Fn::Sub"].endswith(":microblog-dev-mail-events")


def test_fragment_names_only_resources_chalice_emits(packaged: dict[str, Any]) -> None:
    """If a handler is renamed, the fragment would silently add a broken resource: catch it."""
    fragment = json.loads(FRAGMENT.read_text())
    for name, resource in fragment["Resources"].items():
        assert "Type" in packaged["Resources"][name], f"{name} is not a Chalice resource"
        for event in resource["Properties"]["Events"]:
            assert packaged["Resources"][name]["Properties"]["Events"][event]["Type"] == "SQS"
