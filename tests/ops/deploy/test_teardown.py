"""ops/deploy/teardown.py: `make destroy` removes what provisioning made from the declaration, and
keeps the data (DeletionPolicy Retain)."""

from __future__ import annotations

import json
from dataclasses import replace

import boto3

from chalicelib.settings import Settings
from ops.deploy.monitoring import ALARM, Watched
from ops.deploy.provision import provision
from ops.deploy.resources import stage_resources
from ops.deploy.teardown import teardown
from ops.stages import load_stage


def provisioned(stage: str = "dev") -> Settings:
    settings = load_stage(stage).settings()
    provision(settings)
    return settings


def add_dead_letter_queue(settings: Settings) -> None:
    """A dead-letter queue the declaration does not name (as after MAIL_DLQ changed)."""
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName=settings.queue_name + "-dead")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]
    redrive = {"deadLetterTargetArn": arn["QueueArn"], "maxReceiveCount": "5"}
    url = sqs.get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(redrive)})


def queue_names() -> set[str]:
    return {
        url.rsplit("/", 1)[-1] for url in boto3.client("sqs").list_queues().get("QueueUrls", [])
    }


def test_queues_go_data_and_keys_stay() -> None:
    settings = provisioned()
    add_dead_letter_queue(settings)
    removed = teardown(settings, delete_data=False, senders_elsewhere=set())
    assert f"queue {settings.queue_name}" in removed
    assert f"queue {settings.queue_name}-dead" in removed
    assert settings.queue_name not in queue_names()
    tables = boto3.client("dynamodb").list_tables()["TableNames"]
    assert {settings.users_table, settings.state_table} <= set(tables)
    boto3.client("ssm").get_parameter(Name=settings.secret_parameter)  # still there
    assert settings.mail_sender not in boto3.client("ses").list_identities()["Identities"]


def test_delete_data_removes_tables_and_keys() -> None:
    settings = provisioned()
    teardown(settings, delete_data=True, senders_elsewhere=set())
    tables = set(boto3.client("dynamodb").list_tables()["TableNames"])
    assert not {settings.users_table, settings.state_table} & tables
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []


def test_a_sender_another_stage_uses_is_kept() -> None:
    settings = provisioned()
    teardown(settings, delete_data=False, senders_elsewhere={settings.mail_sender.lower()})
    assert settings.mail_sender in boto3.client("ses").list_identities()["Identities"]


def test_tearing_down_twice_is_harmless() -> None:
    settings = provisioned()
    teardown(settings, delete_data=True, senders_elsewhere=set())
    assert teardown(settings, delete_data=True, senders_elsewhere=set()) == [
        f"SES identity {settings.mail_sender}"
    ]


def test_everything_declared_goes_but_the_data() -> None:
    stage = load_stage("prod").settings()
    settings = replace(stage, mail=replace(stage.mail, configuration_set="prod-config"))
    provision(settings)
    removed = teardown(settings, delete_data=False, senders_elsewhere=set())
    assert sorted(removed) == sorted(
        [
            f"queue {settings.queue_name}",
            f"queue {settings.mail.dlq_name}",
            f"topic {settings.mail.events_topic}",
            f"SES identity {settings.mail_sender}",
            "configuration set prod-config",
        ]
    )
    assert not {settings.queue_name, settings.mail.dlq_name} & queue_names()
    topics = [t["TopicArn"] for t in boto3.client("sns").list_topics()["Topics"]]
    assert not [t for t in topics if t.endswith(f":{settings.mail.events_topic}")]
    assert boto3.client("ses").list_configuration_sets()["ConfigurationSets"] == []
    # What stays is what the declaration retains: the tables and the keyring.
    retained = {
        name
        for name, resource in stage_resources(settings).items()
        if resource["DeletionPolicy"] == "Retain"
    }
    assert retained == {"UsersTable", "StateTable", "ActivityTable", "SigningKeys"}
    tables = set(boto3.client("dynamodb").list_tables()["TableNames"])
    assert {settings.users_table, settings.state_table} <= tables
    boto3.client("ssm").get_parameter(Name=settings.secret_parameter)  # still there


def test_what_watched_the_stage_goes_with_it() -> None:
    stage = load_stage("prod")
    settings, watched = stage.settings(), Watched.of(stage)
    provision(settings, watched)
    removed = teardown(settings, delete_data=False, senders_elsewhere=set(), watched=watched)
    alarms = [
        r["Properties"]["AlarmName"]
        for r in stage_resources(settings, watched).values()
        if r["Type"] == ALARM
    ]
    assert {f"alarm {name}" for name in alarms} <= set(removed)
    assert "dashboard microblog-accounts-prod" in removed
    assert "topic microblog-accounts-prod-alarms" in removed
    cloudwatch = boto3.client("cloudwatch")
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
    again = teardown(settings, delete_data=False, senders_elsewhere=set(), watched=watched)
    assert not [item for item in again if item.startswith(("alarm", "dashboard"))]


def test_a_configuration_set_the_stage_does_not_send_with_is_left_alone() -> None:
    """Provisioning made none (the stage names none): one of that name is someone else's."""
    settings = provisioned("prod")
    ses = boto3.client("ses")
    ses.create_configuration_set(ConfigurationSet={"Name": f"{settings.queue_name}-config"})
    teardown(settings, delete_data=True, senders_elsewhere=set())
    assert len(ses.list_configuration_sets()["ConfigurationSets"]) == 1
