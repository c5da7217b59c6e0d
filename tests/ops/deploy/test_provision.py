"""provision.py: everything resources.py declares exists on moto as declared, and a
second run changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends

from chalicelib import aws
from chalicelib.auth.keys import parse_keyring
from chalicelib.settings import Settings, get_settings
from ops.deploy import provision as provision_module
from ops.deploy.provision import provision
from ops.deploy.resources import stage_resources
from ops.stages import load_stage


def state(settings: Settings) -> dict[str, Any]:
    """Everything provisioning touches, minus what AWS changes by itself."""
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    tables = {}
    for name in (settings.users_table, settings.state_table):
        table = dynamodb.describe_table(TableName=name)["Table"]
        tables[name] = {
            "keys": table["KeySchema"],
            "billing": table["BillingModeSummary"]["BillingMode"],
            "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
            "pitr": dynamodb.describe_continuous_backups(TableName=name)[
                "ContinuousBackupsDescription"
            ]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
            "created": table["CreationDateTime"],
        }
    queues = {
        url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for url in sqs.list_queues()["QueueUrls"]
    }
    ses = boto3.client("ses")
    snapshot: dict[str, Any] = {
        "tables": tables,
        "queues": queues,
        "topics": boto3.client("sns").list_topics()["Topics"],
        "identities": ses.list_identities()["Identities"],
        "configuration_sets": ses.list_configuration_sets()["ConfigurationSets"],
    }
    if settings.secret_parameter:
        parameter = boto3.client("ssm").get_parameter(
            Name=settings.secret_parameter, WithDecryption=True
        )["Parameter"]
        snapshot["keyring"] = (parameter["Type"], parameter["Version"], parameter["Value"])
    return snapshot


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_provisioning_a_stage_twice_changes_nothing(stage: str) -> None:
    settings = load_stage(stage).settings()
    first = provision(settings)
    before = state(settings)
    second = provision(settings)
    assert state(settings) == before
    assert first["SigningKeys"].endswith("(created)")
    assert second["SigningKeys"].endswith("(kept)")


def test_a_stage_gets_its_tables_ttl_queue_sender_and_keyring() -> None:
    settings = load_stage("prod").settings()
    provision(settings)
    snapshot = state(settings)
    assert set(snapshot["tables"]) == {settings.users_table, settings.state_table}
    ttl = snapshot["tables"][settings.state_table]["ttl"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    assert any(url.endswith("/" + settings.queue_name) for url in snapshot["queues"])
    assert settings.mail_sender in snapshot["identities"]
    kind, _version, value = snapshot["keyring"]
    assert kind == "SecureString"
    assert len(parse_keyring(value).current.secret) >= 32


def test_an_existing_keyring_is_never_overwritten() -> None:
    settings = load_stage("dev").settings()
    ssm = boto3.client("ssm")
    existing = '{"current": "' + "k" * 40 + '"}'
    ssm.put_parameter(Name=settings.secret_parameter, Type="SecureString", Value=existing)
    provision(settings)
    parameter = ssm.get_parameter(Name=settings.secret_parameter, WithDecryption=True)
    assert parameter["Parameter"]["Value"] == existing


def test_the_environment_path_makes_no_keyring(settings_from_env: Settings) -> None:
    assert "SigningKeys" not in provision(settings_from_env)
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []


def test_the_command_provisions_the_named_stage() -> None:
    assert provision_module.main(["--stage", "dev"]) == 0
    settings = load_stage("dev").settings()
    assert settings.users_table in boto3.client("dynamodb").list_tables()["TableNames"]


@pytest.fixture
def settings_from_env() -> Settings:
    from chalicelib.settings import get_settings

    return get_settings()


def attributes(url: str) -> dict[str, str]:
    return aws.sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_mail_queue_dead_letters_after_max_receives() -> None:
    result = provision(get_settings())  # a second run, after the fixture's: changes nothing
    queue, dead = attributes(result["MailQueue"]), attributes(result["MailDeadLetterQueue"])
    policy = json.loads(queue["RedrivePolicy"])
    assert policy["deadLetterTargetArn"] == dead["QueueArn"]
    assert int(policy["maxReceiveCount"]) == get_settings().mail.max_receives == 10
    assert queue["VisibilityTimeout"] == "0"  # the tests' setting; production: 360
    assert dead["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    assert dead["QueueArn"].endswith(":test-mail-dlq")


def test_rerun_with_new_settings_updates_the_existing_queue() -> None:
    settings = get_settings()
    changed = replace(settings, mail=replace(settings.mail, max_receives=3, visibility_timeout=360))
    url = provision(changed)["MailQueue"]
    queue = attributes(url)
    assert json.loads(queue["RedrivePolicy"])["maxReceiveCount"] in (3, "3")
    assert queue["VisibilityTimeout"] == "360"
    provision(settings)  # and back
    assert attributes(url)["VisibilityTimeout"] == "0"


def test_ses_publishes_bounces_and_complaints_to_the_events_topic() -> None:
    topic = provision(get_settings())["MailEventsTopic"]
    assert topic.endswith(":test-mail-events")
    sns = boto3.client("sns", region_name="us-east-1")
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    # moto's GetIdentityNotificationAttributes leaves the topics out: read its backend.
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    assert backend.sns_topics["no-reply@example.com"] == {"Bounce": topic, "Complaint": topic}


# -- the declaration drives provisioning: what AWS describes is what ops/deploy/resources.py says


def declared_of(settings: Settings, kind: str) -> dict[str, dict[str, Any]]:
    """Logical id -> Properties of the declared resources of one type."""
    return {
        name: resource["Properties"]
        for name, resource in stage_resources(settings).items()
        if resource["Type"] == kind
    }


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_declared_resource_is_provisioned(stage: str) -> None:
    settings = load_stage(stage).settings()
    assert set(provision(settings)) == set(stage_resources(settings))


def test_tables_are_as_declared() -> None:
    settings = load_stage("prod").settings()
    provision(settings)
    dynamodb = boto3.client("dynamodb")
    for properties in declared_of(settings, "AWS::DynamoDB::Table").values():
        name = properties["TableName"]
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == properties["KeySchema"]
        assert table["AttributeDefinitions"] == properties["AttributeDefinitions"]
        assert table["BillingModeSummary"]["BillingMode"] == properties["BillingMode"]
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert table["SSEDescription"]["Status"] == "ENABLED"
        backups = dynamodb.describe_continuous_backups(TableName=name)
        pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
        assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        declared_ttl = properties.get("TimeToLiveSpecification")
        if declared_ttl:
            assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == (
                "ENABLED",
                declared_ttl["AttributeName"],
            )
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED"


def test_queues_are_as_declared() -> None:
    settings = load_stage("prod").settings()
    provision(settings)
    declared = declared_of(settings, "AWS::SQS::Queue")
    actual = {
        name: attributes(aws.sqs().get_queue_url(QueueName=queue["QueueName"])["QueueUrl"])
        for name, queue in declared.items()
    }
    for name, properties in declared.items():
        for key, value in properties.items():
            if key == "QueueName":
                assert actual[name]["QueueArn"].endswith(f":{value}")
            elif key == "RedrivePolicy":
                redrive = json.loads(actual[name][key])
                (target, _) = value["deadLetterTargetArn"]["Fn::GetAtt"]
                assert redrive["deadLetterTargetArn"] == actual[target]["QueueArn"]
                assert int(redrive["maxReceiveCount"]) == value["maxReceiveCount"]
            else:
                assert actual[name][key] == str(value).lower(), key  # SQS speaks strings


def test_topic_sender_and_configuration_set_are_as_declared() -> None:
    stage = load_stage("prod").settings()
    settings = replace(stage, mail=replace(stage.mail, configuration_set="prod-config"))
    result = provision(settings)
    (topic,) = declared_of(settings, "AWS::SNS::Topic").values()
    assert result["MailEventsTopic"].endswith(f":{topic['TopicName']}")
    (sender,) = declared_of(settings, "AWS::SES::EmailIdentity").values()
    assert sender["EmailIdentity"] in boto3.client("ses").list_identities()["Identities"]
    (configuration_set,) = declared_of(settings, "AWS::SES::ConfigurationSet").values()
    assert configuration_set["Name"] == "prod-config"
    sets = boto3.client("ses").list_configuration_sets()["ConfigurationSets"]
    assert [s["Name"] for s in sets] == ["prod-config"]


def test_a_configuration_set_is_made_only_when_the_stage_sends_with_one() -> None:
    """The template always has one (its functions get SES_CONFIGURATION_SET); this path
    leaves the account alone unless the stage's settings name one."""
    provision(load_stage("prod").settings())
    assert boto3.client("ses").list_configuration_sets()["ConfigurationSets"] == []
