"""ops/template.py and ops/package.py's merge: the resources half of the SAM template."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from ops.package import merge_template
from ops.provision import provision
from ops.stages import load_stage
from ops.template import deep_merge, keyring_reference, resources_template


def test_the_template_queue_behaves_like_the_provisioned_one() -> None:
    """Both deploy paths must give the worker the same visibility timeout."""
    stage = load_stage("prod")
    settings = stage.settings()
    provision(settings)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
    provisioned = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    queue = resources_template(stage)["Resources"]["MailQueue"]["Properties"]
    assert queue["QueueName"] == settings.queue_name
    assert str(queue["VisibilityTimeout"]) == provisioned["VisibilityTimeout"]
    assert str(queue["SqsManagedSseEnabled"]).lower() == provisioned["SqsManagedSseEnabled"]
    redrive = json.loads(provisioned["RedrivePolicy"])
    assert str(queue["RedrivePolicy"]["maxReceiveCount"]) == str(redrive["maxReceiveCount"])
    dead = resources_template(stage)["Resources"]["MailDeadLetterQueue"]["Properties"]
    assert redrive["deadLetterTargetArn"].endswith(":" + dead["QueueName"])


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
