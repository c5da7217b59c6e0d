"""The IAM policy files a stage's functions are deployed with, as the policy tests read them."""

from __future__ import annotations

import json
from typing import Any

import app as app_module
from ops.deploy.policy import policy_files
from ops.stages import PROJECT_DIR, load_config, load_stage

POLICY_STAGES = [
    name for name, stage in load_config()["stages"].items() if stage.get("autogen_policy") is False
]


def app_functions() -> set[str]:
    """The Lambda functions `chalice deploy` makes from app.py, by Chalice handler name."""
    app = app_module.app
    names = {source.name for source in app.event_sources}
    names |= {function.name for function in app.pure_lambda_functions}
    if app.routes:
        names.add("api_handler")
    return names


def policies(stage_name: str) -> dict[str, dict[str, Any]]:
    """Chalice handler -> the policy document its iam_policy_file holds."""
    stage = load_stage(stage_name)
    return {
        handler: json.loads((PROJECT_DIR / ".chalice" / filename).read_text())
        for handler, filename in policy_files(stage).items()
    }


def actions(document: dict[str, Any]) -> set[str]:
    return {action for s in document["Statement"] for action in s["Action"]}
