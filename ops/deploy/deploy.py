"""`make deploy` and `make destroy`: provision, `chalice deploy`, post-deploy steps; and back.

python -m ops.deploy.deploy deploy --stage dev
python -m ops.deploy.deploy destroy --stage dev [--delete-data]

Chalice uploads the function package bytecode.py built, our modules' bytecode included.
AWS_ENDPOINT_URL is honoured throughout (boto3 here, botocore inside the Chalice CLI).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from chalicelib.web import not_found
from ops.cli import operator_errors
from ops.deploy import gateway_responses, placeholders, postdeploy
from ops.deploy.artifacts import cached_artifacts, describe_sizes, run_chalice
from ops.deploy.bytecode import function_package
from ops.deploy.monitoring import Watched
from ops.deploy.provision import provision
from ops.deploy.teardown import teardown
from ops.stages import PROJECT_DIR, Stage, aws_environment, cli_logging, load_config, load_stage

log = logging.getLogger("deploy")

Deployed = dict[str, dict[str, Any]]  # Chalice resource name -> its deployed values
PostDeployStep = Callable[[Stage, Deployed], None]


def deployed_resources(project_dir: Path, stage: str) -> Deployed:
    """What Chalice recorded in .chalice/deployed/<stage>.json (empty if nothing is deployed)."""
    path = project_dir / ".chalice" / "deployed" / f"{stage}.json"
    if not path.exists():
        return {}
    return {item["name"]: item for item in json.loads(path.read_text())["resources"]}


def settle_public_base_url(stage: Stage, deployed: Deployed) -> None:
    """Reset links are built from PUBLIC_BASE_URL: on a first deploy it is still the shipped
    placeholder, so it becomes the API just deployed (and stays: it is written to
    .chalice/config.json); a URL that differs from the API's is said to be (a custom domain?)."""
    url = deployed.get("rest_api", {}).get("rest_api_url", "").rstrip("/")
    configured = stage.settings().public_base_url
    if not url or configured == url:
        return
    if placeholders.base_url_is_placeholder(configured):
        functions = boto3.client("lambda", region_name=stage.settings().region)
        placeholders.adopt_base_url(stage, url, functions)
        log.warning(
            "PUBLIC_BASE_URL of stage %s was the placeholder %s: it is now the API's URL, %s, "
            "in .chalice/config.json (commit it) and on the functions; for a custom domain, "
            "set it there and deploy again",
            stage.name,
            configured,
            url,
        )
        return
    log.warning(
        "PUBLIC_BASE_URL of stage %s is %s but the API is at %s: unless a custom domain "
        "points there, set it in .chalice/config.json and run `make deploy` again",
        stage.name,
        configured,
        url,
    )


def report_batch_item_failures(stage: Stage, deployed: Deployed) -> None:
    """Chalice leaves ReportBatchItemFailures off the SQS mapping: turn it on."""
    client = boto3.client("lambda", region_name=stage.settings().region)
    for item in deployed.values():
        if item.get("resource_type") != "sqs_event":
            continue
        changed = postdeploy.report_batch_item_failures(
            client,
            item["queue_arn"],
            item["lambda_arn"],
            stage.settings().mail.max_concurrency,
        )
        state = f"set on {', '.join(changed)}" if changed else "already set"
        log.info("%s: ReportBatchItemFailures %s", item["queue_arn"], state)


def api_throttling(stage: Stage, deployed: Deployed) -> None:
    """API Gateway's stage throttling from API_THROTTLE_RATE and API_THROTTLE_BURST."""
    rest_api_id = deployed.get("rest_api", {}).get("rest_api_id")
    if not rest_api_id:
        return
    ops = stage.ops_settings()
    client = boto3.client("apigateway", region_name=stage.settings().region)
    postdeploy.throttle_stage(
        client, rest_api_id, stage.api_stage, ops.api_rate_limit, ops.api_burst_limit
    )
    log.info(
        "API stage %s throttled at %d requests/s (bursts of %d)",
        stage.api_stage,
        ops.api_rate_limit,
        ops.api_burst_limit,
    )


def problem_gateway_responses(stage: Stage, deployed: Deployed) -> None:
    """API Gateway's own answers in the app's shapes (ops/deploy/gateway_responses.py): problem
    details, and the not-found page for a browser, its links under the site's base URL."""
    rest_api_id = deployed.get("rest_api", {}).get("rest_api_id")
    if not rest_api_id:
        return
    settings = stage.settings()
    base_url = settings.public_base_url
    if placeholders.base_url_is_placeholder(base_url):  # just settled on the API's own
        base_url = deployed["rest_api"].get("rest_api_url", base_url).rstrip("/")
    page = not_found.page(base_url, settings.brand.name)
    client = boto3.client("apigateway", region_name=settings.region)
    types = gateway_responses.put_all(client, rest_api_id, stage.api_stage, page)
    log.info("gateway responses in the app's shapes: %s", ", ".join(types))


# Steps run after `chalice deploy`, in order (e.g. settings Chalice cannot express).
POST_DEPLOY_STEPS: list[PostDeployStep] = [
    settle_public_base_url,
    report_batch_item_failures,
    problem_gateway_responses,  # redeploys the API stage: before its throttling
    api_throttling,
]


def deploy(stage_name: str, project_dir: Path = PROJECT_DIR) -> Deployed:
    """Provision, deploy with Chalice, run the post-deploy steps; safe to repeat."""
    env = aws_environment(os.environ)
    stage = load_stage(stage_name, project_dir)
    for warning in placeholders.sender_warnings(stage_name, stage.settings(env)):
        log.warning("%s", warning)
    log.info("provisioning stage %s (tables, queues, topic, sender, keyring, alarms)", stage_name)
    provision(stage.settings(env), Watched.of(stage))
    function_package(project_dir)  # with its bytecode: Chalice reuses it
    log.info("chalice deploy --stage %s: packaging and uploading (a minute or two)", stage_name)
    run_chalice(["deploy", "--stage", stage_name], project_dir, env)
    log.info("post-deploy steps: %s", ", ".join(step.__name__ for step in POST_DEPLOY_STEPS))
    deployed = deployed_resources(project_dir, stage_name)
    for step in POST_DEPLOY_STEPS:
        step(stage, deployed)
    for line in describe_sizes(cached_artifacts(project_dir)):
        log.info("%s", line)
    return deployed


def destroy(stage_name: str, delete_data: bool, project_dir: Path = PROJECT_DIR) -> list[str]:
    """`chalice delete`, then remove what provisioning created (data only if asked)."""
    env = aws_environment(os.environ)
    stage = load_stage(stage_name, project_dir)
    settings = stage.settings(env)
    log.info("chalice delete --stage %s: removing the functions and the API", stage_name)
    run_chalice(["delete", "--stage", stage_name], project_dir, env)
    senders_elsewhere = {  # the first of ADMINS sends a stage's mail
        load_stage(other, project_dir).environment.get("ADMINS", "").split(",")[0].strip().lower()
        for other in load_config(project_dir).get("stages", {})
        if other != stage_name
    }
    return teardown(settings, delete_data, senders_elsewhere, Watched.of(stage))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy or destroy a stage.")
    parser.add_argument("action", choices=["deploy", "destroy"])
    parser.add_argument("--stage", required=True, help="a stage of .chalice/config.json")
    parser.add_argument("--delete-data", action="store_true", help="destroy: tables and keys too")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    args = parser.parse_args(argv)
    cli_logging()
    return _deploy(args) if args.action == "deploy" else _destroy(args)


@operator_errors("deploy")
def _deploy(args: argparse.Namespace) -> int:
    deployed = deploy(args.stage, args.project_dir)
    log.info("API: %s", deployed.get("rest_api", {}).get("rest_api_url", "(none)"))
    return 0


@operator_errors("destroy")
def _destroy(args: argparse.Namespace) -> int:
    for item in destroy(args.stage, args.delete_data, args.project_dir):
        log.info("removed %s", item)
    return 0


if __name__ == "__main__":
    sys.exit(main())
