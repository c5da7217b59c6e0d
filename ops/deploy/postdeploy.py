"""After `chalice deploy`: ReportBatchItemFailures and MaximumConcurrency on the SQS mappings.

python -m ops.deploy.postdeploy --stage dev

Chalice 1.34 creates the SQS mapping without FunctionResponseTypes, and then Lambda ignores
the worker's `batchItemFailures` answer (a batch with one failure is retried whole, or not at
all). This step reads what Chalice recorded in .chalice/deployed/<stage>.json (each sqs_event's
queue and function ARNs), finds the mappings with list_event_source_mappings and sets
FunctionResponseTypes=["ReportBatchItemFailures"] where it is missing. Chalice's own updates
on later deploys leave that setting alone; running this twice changes nothing.
It also sets the mapping's ScalingConfig MaximumConcurrency, which Chalice cannot express.
The `chalice package` path gets the same settings from ops/deploy/cfn/sqs-batch-failures.json.

API Gateway's stage throttling (`throttle_stage`) is not a Chalice setting either: `make
deploy` sets it after each deploy, the template declares it (ops/deploy/template.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import boto3

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

log = logging.getLogger("postdeploy")

REPORT_BATCH_ITEM_FAILURES: Final = "ReportBatchItemFailures"
# The mapping's MaximumConcurrency (2 is Lambda's least): the worker shares the account's SES
# rate out by it, so it must equal the stage's MAIL_WORKER_CONCURRENCY (default 2).
DEFAULT_MAXIMUM_CONCURRENCY: Final = 2


def sqs_event_sources(deployed: Path) -> list[tuple[str, str]]:
    """(queue ARN, function ARN) of each SQS event source Chalice deployed."""
    resources = json.loads(deployed.read_text())["resources"]
    events = [r for r in resources if r.get("resource_type") == "sqs_event"]
    return [(r["queue_arn"], r["lambda_arn"]) for r in events]


def report_batch_item_failures(
    client: LambdaClient,
    queue_arn: str,
    function_arn: str,
    maximum_concurrency: int = DEFAULT_MAXIMUM_CONCURRENCY,
) -> list[str]:
    """Set ReportBatchItemFailures and MaximumConcurrency on the mappings from this queue to
    this function.

    Returns the UUIDs it changed (empty when every mapping already had both).
    """
    changed = []
    paginator = client.get_paginator("list_event_source_mappings")
    for page in paginator.paginate(EventSourceArn=queue_arn, FunctionName=function_arn):
        for mapping in page.get("EventSourceMappings", []):
            types = mapping.get("FunctionResponseTypes", [])
            scaling = mapping.get("ScalingConfig", {}).get("MaximumConcurrency")
            if REPORT_BATCH_ITEM_FAILURES in types and scaling == maximum_concurrency:
                continue
            if REPORT_BATCH_ITEM_FAILURES not in types:
                types = [*types, REPORT_BATCH_ITEM_FAILURES]
            client.update_event_source_mapping(
                UUID=mapping["UUID"],
                FunctionResponseTypes=types,
                ScalingConfig={"MaximumConcurrency": maximum_concurrency},
            )
            changed.append(mapping["UUID"])
    return changed


def throttle_stage(
    client: Any, rest_api_id: str, stage_name: str, rate: int, burst: int
) -> dict[str, float]:
    """Set the stage's default method throttling (every resource and method); returns it."""
    settings = {"rateLimit": rate, "burstLimit": burst}
    client.update_stage(
        restApiId=rest_api_id,
        stageName=stage_name,
        patchOperations=[
            {"op": "replace", "path": f"/*/*/throttling/{name}", "value": str(value)}
            for name, value in settings.items()
        ],
    )
    stage = client.get_stage(restApiId=rest_api_id, stageName=stage_name)
    default = stage.get("methodSettings", {}).get("*/*", {})
    return {
        "rate": float(default.get("throttlingRateLimit", 0)),
        "burst": float(default.get("throttlingBurstLimit", 0)),
    }


def postdeploy(client: LambdaClient, deployed: Path) -> dict[str, list[str]]:
    """Apply every post-deploy fix for one deployed stage; returns what changed per queue."""
    sources = sqs_event_sources(deployed)
    if not sources:
        raise SystemExit(f"{deployed} lists no SQS event source: was `chalice deploy` run?")
    return {queue: report_batch_item_failures(client, queue, fn) for queue, fn in sources}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.deploy.postdeploy")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--project-dir", type=Path, default=Path())
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    deployed = args.project_dir / ".chalice" / "deployed" / f"{args.stage}.json"
    client = boto3.client("lambda")  # region and AWS_ENDPOINT_URL from the environment
    for queue, changed in postdeploy(client, deployed).items():
        state = f"set on {', '.join(changed)}" if changed else "already set"
        log.info("%s: %s %s", queue.rsplit(":", 1)[-1], REPORT_BATCH_ITEM_FAILURES, state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
