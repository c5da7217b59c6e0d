"""Provisioning what watches a deployed stage: every declared alarm and the dashboard land on
moto as declared, alarm mail is subscribed when the stage names an address, and a second run
changes nothing. (moto stores alarms and dashboards; it never evaluates them.)"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import boto3

from chalicelib.ops_settings import load_ops_settings
from ops.deploy.monitoring import ALARM, Watched
from ops.deploy.provision import provision
from ops.deploy.resources import stage_resources
from ops.stages import load_stage

REGION = "us-east-1"


def watched(**ops: str) -> tuple[Any, Watched]:
    stage = load_stage("prod")
    found = Watched.of(stage)
    if ops:
        found = dataclasses.replace(found, ops=load_ops_settings({**stage.environment, **ops}))
    return stage.settings(), found


def declared_alarms(**ops: str) -> dict[str, dict[str, Any]]:
    settings, watching = watched(**ops)
    return {
        r["Properties"]["AlarmName"]: r["Properties"]
        for r in stage_resources(settings, watching).values()
        if r["Type"] == ALARM
    }


def described_alarms() -> dict[str, dict[str, Any]]:
    alarms = boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]
    return {alarm["AlarmName"]: alarm for alarm in alarms}


def test_every_declared_alarm_is_provisioned_as_declared_on_the_alarm_topic() -> None:
    settings, watching = watched()
    result = provision(settings, watching)
    topic = result["AlarmTopic"]
    assert topic.endswith(":microblog-accounts-prod-alarms")
    declared, described = declared_alarms(), described_alarms()
    assert set(described) == set(declared)
    for name, properties in declared.items():
        alarm = described[name]
        for key, value in properties.items():
            if key in ("AlarmActions", "OKActions"):
                assert alarm[key] == [topic], name
            else:
                assert alarm[key] == value, (name, key)


def test_the_dashboard_is_provisioned_for_this_account_and_region() -> None:
    settings, watching = watched()
    provision(settings, watching)
    cloudwatch = boto3.client("cloudwatch")
    body = json.loads(
        cloudwatch.get_dashboard(DashboardName="microblog-accounts-prod")["DashboardBody"]
    )
    account = boto3.client("sts").get_caller_identity()["Account"]
    (status,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    arns = status["properties"]["alarms"]
    assert {arn.rsplit(":", 1)[1] for arn in arns} == set(declared_alarms())
    assert all(arn.startswith(f"arn:aws:cloudwatch:{REGION}:{account}:alarm:") for arn in arns)
    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {REGION}


def test_alarm_mail_is_subscribed_only_when_the_stage_names_an_address() -> None:
    sns = boto3.client("sns")
    settings, watching = watched()
    topic = provision(settings, watching)["AlarmTopic"]
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    settings, watching = watched(ALARM_EMAIL="oncall@example.org")
    provision(settings, watching)
    provision(settings, watching)  # one subscription per address, however often
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "oncall@example.org")


def watch_state() -> dict[str, Any]:
    cloudwatch = boto3.client("cloudwatch")
    alarms = described_alarms()
    for alarm in alarms.values():  # when it was last put, not what it is
        alarm.pop("AlarmConfigurationUpdatedTimestamp", None)
        alarm.pop("StateUpdatedTimestamp", None)
    names = [e["DashboardName"] for e in cloudwatch.list_dashboards()["DashboardEntries"]]
    bodies = {n: cloudwatch.get_dashboard(DashboardName=n)["DashboardBody"] for n in names}
    topics = boto3.client("sns").list_topics()["Topics"]
    return {"alarms": alarms, "dashboards": bodies, "topics": topics}


def test_provisioning_the_watch_twice_changes_nothing() -> None:
    settings, watching = watched()
    first = provision(settings, watching)
    before = watch_state()
    second = provision(settings, watching)
    assert watch_state() == before
    assert {k: v for k, v in second.items() if k != "SigningKeys"} == {
        k: v for k, v in first.items() if k != "SigningKeys"
    }


def test_the_environment_path_watches_nothing() -> None:
    """`make dev` and the tests provision from the environment: no functions, no alarms."""
    from chalicelib.settings import get_settings

    assert "AlarmTopic" not in provision(get_settings())
    assert described_alarms() == {}
