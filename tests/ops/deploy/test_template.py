"""template.py and package.py's merge: the resources half of the SAM template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.deploy.package import merge_template
from ops.deploy.resources import stage_resources
from ops.deploy.template import deep_merge, keyring_reference, logical_id, resources_template
from ops.stages import load_stage

# Only the CloudFormation path has these: the alarm on the dead-letter queue and its topic.
CFN_ONLY = {"AlarmTopic", "MailDeadLetterAlarm"}


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_template_holds_exactly_the_declared_resources(stage_name: str) -> None:
    """Every declared resource verbatim (properties, deletion policy), and no other one."""
    stage = load_stage(stage_name)
    declared = stage_resources(stage.settings())
    resources = resources_template(stage)["Resources"]
    created = {name for name, resource in resources.items() if "Type" in resource}
    assert created == set(declared) | CFN_ONLY
    for name, resource in declared.items():
        assert resources[name] == resource
    assert {resources[name]["DeletionPolicy"] for name in ("UsersTable", "StateTable")} == {
        "Retain"
    }


def test_functions_wait_for_every_declared_resource() -> None:
    """Chalice names the queue by ARN, not Ref: without DependsOn, functions could come first."""
    stage = load_stage("prod")
    resources = resources_template(stage)["Resources"]
    for handler in stage.function_names():
        assert resources[logical_id(handler)]["DependsOn"] == list(
            stage_resources(stage.settings())
        )


def test_names_come_from_the_stage() -> None:
    for name in ("dev", "prod"):
        stage = load_stage(name)
        settings = stage.settings()
        resources = resources_template(stage)["Resources"]
        assert resources["UsersTable"]["Properties"]["TableName"] == settings.users_table
        assert resources["StateTable"]["Properties"]["TableName"] == settings.state_table
        secret = resources["SigningKeys"]["Properties"]["Name"]
        assert keyring_reference(settings.secret_parameter) == (
            "/aws/reference/secretsmanager/" + secret
        )


def test_the_generated_keyring_has_the_apps_format() -> None:
    """CloudFormation fills GenerateStringKey into the template: {"previous": "", "current": …}."""
    generate = resources_template(load_stage("prod"))["Resources"]["SigningKeys"]["Properties"][
        "GenerateSecretString"
    ]
    assert json.loads(generate["SecretStringTemplate"]) == {"previous": ""}
    assert generate["GenerateStringKey"] == "current"
    assert generate["PasswordLength"] >= 32


def test_deep_merge_follows_chalice() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2}) == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}


def test_extra_fragments_are_merged_in_name_order(tmp_path: Path, project_copy: Path) -> None:
    fragments = tmp_path / "cfn"
    fragments.mkdir()
    event = {"Events": {"MailWorkerSqsEventSource": {"Properties": {"X": ["first"]}}}}
    (fragments / "10-a.json").write_text(
        json.dumps({"Resources": {"MailWorker": {"Properties": event}}})
    )
    later = {
        "Resources": {
            "MailWorker": {
                "Properties": {
                    "Events": {"MailWorkerSqsEventSource": {"Properties": {"X": ["second"]}}}
                }
            }
        }
    }
    (fragments / "20-b.json").write_text(json.dumps(later))
    merged = json.loads(merge_template("dev", project_copy, fragments).read_text())
    worker = merged["Resources"]["MailWorker"]
    assert worker["Properties"]["Events"]["MailWorkerSqsEventSource"]["Properties"]["X"] == [
        "second"
    ]
    assert worker["Properties"]["FunctionName"] == "microblog-accounts-dev-mail_worker"
