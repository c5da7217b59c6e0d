"""template.py and package.py's merge: the resources half of the SAM template."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from ops.deploy.monitoring import Watched
from ops.deploy.package import merge_template
from ops.deploy.resources import stage_resources
from ops.deploy.template import deep_merge, keyring_reference, logical_id, resources_template
from ops.stages import Stage, load_stage


def with_defaults(value: Any, parameters: dict[str, Any]) -> Any:
    """The template as CloudFormation deploys it when no Parameter is overridden."""
    defaults = {name: p["Default"] for name, p in parameters.items()}
    if isinstance(value, list):
        return [with_defaults(item, parameters) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in defaults:
        return defaults[value["Ref"]]
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        for name, default in defaults.items():
            text = text.replace("${" + name + "}", default)
        return {"Fn::Sub": text} if "${" in text else text
    return {key: with_defaults(item, parameters) for key, item in value.items()}


def alarmed(stage: Stage, address: str) -> Watched:
    watched = Watched.of(stage)
    return dataclasses.replace(watched, ops=dataclasses.replace(watched.ops, alarm_email=address))


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_template_holds_exactly_the_declared_resources(stage_name: str) -> None:
    """Every declared resource, alarms and dashboard included, as declared once the
    Parameters take their defaults (the stage's values); and no other one."""
    stage = load_stage(stage_name)
    template = resources_template(stage)
    address = "oncall@example.org"
    template["Parameters"]["AlarmEmail"]["Default"] = address  # the subscription's condition
    declared = stage_resources(stage.settings(), alarmed(stage, address))
    resources = with_defaults(template["Resources"], template["Parameters"])
    created = {name for name, resource in resources.items() if "Type" in resource}
    assert created == set(declared)
    for name, resource in declared.items():
        assert {k: v for k, v in resources[name].items() if k != "Condition"} == resource, name
    assert {resources[name]["DeletionPolicy"] for name in ("UsersTable", "StateTable")} == {
        "Retain"
    }


def test_sender_base_url_and_alarm_address_are_parameters_defaulting_to_the_stage() -> None:
    stage = load_stage("prod")
    settings, template = stage.settings(), resources_template(stage)
    parameters = template["Parameters"]
    assert parameters["PublicBaseUrl"]["Default"] == settings.public_base_url
    assert parameters["SenderAddress"]["Default"] == settings.mail_sender
    assert parameters["AlarmEmail"]["Default"] == stage.ops_settings().alarm_email == ""
    resources = template["Resources"]
    assert resources["SenderIdentity"]["Properties"]["EmailIdentity"] == {"Ref": "SenderAddress"}
    subscription = resources["AlarmSubscription"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert subscription["Condition"] == "HasAlarmEmail"
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }
    for handler in stage.function_names():
        variables = resources[logical_id(handler)]["Properties"]["Environment"]["Variables"]
        assert variables["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
        assert variables["ADMINS"] == {"Fn::Join": [",", [{"Ref": "SenderAddress"}]]}


def test_the_worker_may_send_only_from_the_sender_parameter() -> None:
    role = resources_template(load_stage("prod"))["Resources"]["MailWorkerRole"]
    (statement,) = [
        s
        for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        if s["Sid"] == "SendMail"
    ]
    assert statement["Resource"][0]["Fn::Sub"].endswith(":identity/${SenderAddress}")


def test_the_api_stage_is_throttled_from_the_stage_settings() -> None:
    stage = load_stage("prod")
    ops = stage.ops_settings()
    api = resources_template(stage)["Resources"]["RestAPI"]["Properties"]
    assert api["MethodSettings"] == [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": ops.api_rate_limit,
            "ThrottlingBurstLimit": ops.api_burst_limit,
        }
    ]


def test_functions_wait_for_every_declared_resource() -> None:
    """Chalice names the queue by ARN, not Ref: without DependsOn, functions could come first.
    (Not for the conditional subscription: a resource cannot wait for one that may not exist.)"""
    stage = load_stage("prod")
    resources = resources_template(stage)["Resources"]
    declared = stage_resources(stage.settings(), Watched.of(stage))
    for handler in stage.function_names():
        assert resources[logical_id(handler)]["DependsOn"] == list(declared)


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
