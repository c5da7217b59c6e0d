"""monitoring.py and dashboard.py: every alarm an on-call engineer needs, each with a runbook,
the app's own metrics alarmed on exactly as the app emits them, and one dashboard."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from chalicelib import metrics
from chalicelib.metrics import Failure, Metric
from chalicelib.ops_settings import get_ops_settings, load_ops_settings
from ops.deploy.monitoring import ALARM, DASHBOARD, RUNBOOKS, SUBSCRIPTION, Watched
from ops.deploy.resources import stage_resources
from ops.stages import PROJECT_DIR, load_stage
from tests.helpers.emf import emitted

# What the on-call engineer is told about (alarm name suffix -> the metric it watches).
EXPECTED = {
    "api_handler-errors": ("AWS/Lambda", "Errors"),
    "api_handler-throttles": ("AWS/Lambda", "Throttles"),
    "mail_worker-errors": ("AWS/Lambda", "Errors"),
    "mail_worker-throttles": ("AWS/Lambda", "Throttles"),
    "mail_events-errors": ("AWS/Lambda", "Errors"),
    "mail_events-throttles": ("AWS/Lambda", "Throttles"),
    "api-5xx-rate": ("AWS/ApiGateway", "5XXError"),
    "mail-queue-age": ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
    "dead-letters": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "ses-bounce-rate": ("AWS/SES", "Reputation.BounceRate"),
    "ses-complaint-rate": ("AWS/SES", "Reputation.ComplaintRate"),
    "permanent-send-failures": ("MicroblogAccounts", "EmailFailed"),
    "reset-request-surge": ("MicroblogAccounts", "ResetRequested"),
}


def declared(stage_name: str = "prod", **ops: str) -> dict[str, dict[str, Any]]:
    stage = load_stage(stage_name)
    watched = Watched.of(stage)
    if ops:
        watched = dataclasses.replace(watched, ops=load_ops_settings({**stage.environment, **ops}))
    return stage_resources(stage.settings(), watched)


def alarms(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["AlarmName"].removeprefix("microblog-accounts-prod-"): r["Properties"]
        for r in resources.values()
        if r["Type"] == ALARM
    }


def test_every_alarm_is_declared_on_the_alarm_topic() -> None:
    found = alarms(declared())
    assert {name: (a["Namespace"], a["MetricName"]) for name, a in found.items()} == EXPECTED
    for alarm in found.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}]
        assert alarm["TreatMissingData"] == "notBreaching"


def test_the_thresholds_are_what_the_runbooks_say() -> None:
    found = alarms(declared())
    assert found["mail-queue-age"]["Threshold"] == 300
    assert (found["ses-bounce-rate"]["Threshold"], found["ses-complaint-rate"]["Threshold"]) == (
        0.05,
        0.001,
    )
    for name in ("ses-bounce-rate", "ses-complaint-rate", "api-5xx-rate"):
        assert found[name]["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert found["api-5xx-rate"]["Statistic"] == "Average"  # 5XXError's average is its rate
    assert found["reset-request-surge"]["Threshold"] == 300  # the default
    custom = alarms(declared(RESET_REQUESTS_ALARM_THRESHOLD="40"))
    assert custom["reset-request-surge"]["Threshold"] == 40


def _headings() -> set[str]:
    text = (PROJECT_DIR / "docs" / "operations.md").read_text()
    titles = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^a-z0-9 -]", "", t.lower()).replace(" ", "-") for t in titles}


def test_each_alarm_names_a_runbook_section_that_exists() -> None:
    headings = _headings()
    for name, alarm in alarms(declared()).items():
        (anchor,) = re.findall(re.escape(RUNBOOKS) + r"(\S+)$", alarm["AlarmDescription"])
        assert anchor in headings, name


def test_our_alarms_watch_the_metrics_exactly_as_the_app_emits_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Namespace, name and every dimension: an alarm on a metric nobody emits never fires."""
    metrics.note(Metric.EMAIL_FAILED, Failure.PERMANENT)
    metrics.note(Metric.RESET_REQUESTED)
    metrics.flush()
    lines = emitted(capsys.readouterr().out)
    stage = load_stage("prod")  # its alarms, for the settings this process emits with
    watched = dataclasses.replace(Watched.of(stage), ops=get_ops_settings())
    found = {
        r["Properties"]["AlarmName"].removeprefix("microblog-accounts-prod-"): r["Properties"]
        for r in stage_resources(stage.settings(), watched).values()
        if r["Type"] == ALARM
    }
    for alarm_name, metric in (
        ("permanent-send-failures", Metric.EMAIL_FAILED),
        ("reset-request-surge", Metric.RESET_REQUESTED),
    ):
        alarm = found[alarm_name]
        (line,) = [line for line in lines if metric.value in line.values]
        assert line.namespace == alarm["Namespace"]
        assert line.dimensions == {d["Name"]: d["Value"] for d in alarm["Dimensions"]}


def test_alarm_mail_goes_to_the_stage_address_only_when_it_sets_one() -> None:
    assert not [r for r in declared().values() if r["Type"] == SUBSCRIPTION]
    (subscription,) = [
        r for r in declared(ALARM_EMAIL="oncall@example.org").values() if r["Type"] == SUBSCRIPTION
    ]
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": "oncall@example.org",
    }


def test_one_dashboard_shows_our_metrics_the_stage_resources_and_every_alarm() -> None:
    resources = declared()
    (dashboard,) = [r["Properties"] for r in resources.values() if r["Type"] == DASHBOARD]
    assert dashboard["DashboardName"] == "microblog-accounts-prod"
    body = json.loads(dashboard["DashboardBody"]["Fn::Sub"])
    text = json.dumps(body)
    for metric in Metric:
        assert re.search(rf"\b{metric.value}\b", text), metric
    for failure in Failure:
        assert f'"kind", "{failure.value}"' in text
    settings = load_stage("prod").settings()
    for name in (settings.queue_name, settings.mail.dlq_name, "microblog-accounts-prod"):
        assert f'"{name}"' in text
    (status,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    names = {arn.rsplit(":", 1)[1] for arn in status["properties"]["alarms"]}
    assert names == {f"microblog-accounts-prod-{name}" for name in EXPECTED}
