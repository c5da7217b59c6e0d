"""What watches a deployed stage: an alarm topic, the alarms, one dashboard; declared once.

resources.py adds these to a deployed stage's declaration, so `make deploy` (provision.py)
and `make package` (template.py) create the same ones. All go to one SNS topic, which mails
ALARM_EMAIL when the stage sets it (AWS asks the address to confirm first). Each alarm's
description names its runbook section in docs/operations.md.

The reset-request surge alarm is a static threshold (RESET_REQUESTS_ALARM_THRESHOLD per
five minutes), not CloudWatch anomaly detection: a band needs about two weeks of history
before it means anything, and at a small stage's volumes (a few resets an hour) it hugs zero
and fires on ordinary blips; a threshold works from the first deploy and says plainly what
"a jump" means. Set it to about ten times the stage's busiest five minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.metrics import Failure, Metric
from chalicelib.ops_settings import OpsSettings
from chalicelib.settings import Settings
from ops.deploy import dashboard
from ops.stages import Stage

Resource = dict[str, Any]

ALARM = "AWS::CloudWatch::Alarm"
DASHBOARD = "AWS::CloudWatch::Dashboard"
SUBSCRIPTION = "AWS::SNS::Subscription"
RUNBOOKS = "docs/operations.md#"
FIVE_MINUTES = 300
QUEUE_AGE_SECONDS = 300  # the oldest queued email is more than five minutes old
API_5XX_RATE = 0.05  # a twentieth of the API's answers are server errors
# SES reviews an account at a 5 % bounce or 0.1 % complaint rate and may pause its sending
# at 10 % / 0.5 %: the alarms fire at the review thresholds, while there is time to act.
SES_BOUNCE_RATE = 0.05
SES_COMPLAINT_RATE = 0.001


@dataclass(frozen=True)
class Watched:
    """What the alarms and the dashboard name, all known before anything is deployed."""

    prefix: str  # "<app>-<stage>": names the topic, the alarms and the dashboard
    functions: Mapping[str, str]  # Chalice handler -> Lambda function name
    api_name: str  # Chalice names the REST API after the app
    api_stage: str
    ops: OpsSettings

    @classmethod
    def of(cls, stage: Stage) -> Watched:
        return cls(
            prefix=f"{stage.app_name}-{stage.name}",
            functions=stage.function_names(),
            api_name=stage.app_name,
            api_stage=stage.api_stage,
            ops=stage.ops_settings(),
        )


def _transient(kind: str, properties: dict[str, Any]) -> Resource:
    """Deleted with the stack or the stage, like resources.py's transient resources."""
    policy = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
    return {"Type": kind, "Properties": properties, **policy}


def dimensions(**pairs: str) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in pairs.items()]


def _alarm(
    watched: Watched,
    name: str,
    runbook: str,
    summary: str,
    metric: dict[str, Any],
    threshold: float,
    comparison: str = "GreaterThanThreshold",
    periods: tuple[int, int] = (1, 1),  # (datapoints that must breach, of this many)
) -> Resource:
    breaching, evaluated = periods
    return _transient(
        ALARM,
        {
            "AlarmName": f"{watched.prefix}-{name}",
            "AlarmDescription": f"{summary} Runbook: {RUNBOOKS}{runbook}",
            **metric,
            "Period": FIVE_MINUTES,
            "EvaluationPeriods": evaluated,
            "DatapointsToAlarm": breaching,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    )


def _metric(namespace: str, name: str, statistic: str, **dims: str) -> dict[str, Any]:
    return {
        "Namespace": namespace,
        "MetricName": name,
        "Dimensions": dimensions(**dims),
        "Statistic": statistic,
    }


def _function_alarms(watched: Watched) -> dict[str, Resource]:
    alarms = {}
    for handler, function in watched.functions.items():
        logical = "".join(part.title() for part in handler.split("_"))
        for metric, runbook in (
            ("Errors", "alarm-function-errors"),
            ("Throttles", "alarm-function-throttles"),
        ):
            alarms[f"{logical}{metric}Alarm"] = _alarm(
                watched,
                f"{handler}-{metric.lower()}",
                runbook,
                f"{function} reported {metric.lower()} in the last five minutes.",
                _metric("AWS/Lambda", metric, "Sum", FunctionName=function),
                0,
            )
    return alarms


def _custom(watched: Watched, metric: Metric, **dims: str) -> dict[str, Any]:
    ns = watched.ops.metrics_namespace
    return _metric(ns, metric.value, "Sum", stage=watched.ops.stage, **dims)


def _alarms(settings: Settings, watched: Watched) -> dict[str, Resource]:
    queue = settings.mail
    return {
        **_function_alarms(watched),
        "Api5xxAlarm": _alarm(
            watched,
            "api-5xx-rate",
            "alarm-api-5xx-rate",
            f"{API_5XX_RATE:.0%} or more of the API's answers were 5xx, twice in 15 minutes.",
            _metric(
                "AWS/ApiGateway",
                "5XXError",
                "Average",
                ApiName=watched.api_name,
                Stage=watched.api_stage,
            ),
            API_5XX_RATE,
            "GreaterThanOrEqualToThreshold",
            (2, 3),
        ),
        "MailQueueAgeAlarm": _alarm(
            watched,
            "mail-queue-age",
            "alarm-mail-queue-age",
            "An email has waited in the mail queue for more than five minutes.",
            _metric(
                "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", QueueName=settings.queue_name
            ),
            QUEUE_AGE_SECONDS,
        ),
        "MailDeadLetterAlarm": _alarm(
            watched,
            "dead-letters",
            "alarm-dead-letters",
            "Emails are waiting in the mail dead-letter queue.",
            _metric(
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", QueueName=queue.dlq_name
            ),
            0,
        ),
        "SesBounceRateAlarm": _alarm(
            watched,
            "ses-bounce-rate",
            "alarm-ses-bounce-rate",
            f"The account's SES bounce rate reached {SES_BOUNCE_RATE:.0%} (SES pauses at 10 %).",
            _metric("AWS/SES", "Reputation.BounceRate", "Maximum"),
            SES_BOUNCE_RATE,
            "GreaterThanOrEqualToThreshold",
        ),
        "SesComplaintRateAlarm": _alarm(
            watched,
            "ses-complaint-rate",
            "alarm-ses-complaint-rate",
            f"The SES complaint rate reached {SES_COMPLAINT_RATE:.1%} (SES pauses at 0.5 %).",
            _metric("AWS/SES", "Reputation.ComplaintRate", "Maximum"),
            SES_COMPLAINT_RATE,
            "GreaterThanOrEqualToThreshold",
        ),
        "PermanentFailuresAlarm": _alarm(
            watched,
            "permanent-send-failures",
            "alarm-permanent-send-failures",
            "The mail provider refused an email for good in the last five minutes.",
            _custom(watched, Metric.EMAIL_FAILED, kind=Failure.PERMANENT.value),
            0,
        ),
        "ResetSurgeAlarm": _alarm(
            watched,
            "reset-request-surge",
            "alarm-reset-request-surge",
            f"More than {watched.ops.reset_alarm_threshold} password resets were requested "
            "in five minutes (RESET_REQUESTS_ALARM_THRESHOLD).",
            _custom(watched, Metric.RESET_REQUESTED),
            watched.ops.reset_alarm_threshold,
        ),
    }


def monitoring_resources(settings: Settings, watched: Watched) -> dict[str, Resource]:
    """Logical id -> resource: the topic (and its subscription), the alarms, the dashboard."""
    resources = {
        "AlarmTopic": _transient("AWS::SNS::Topic", {"TopicName": f"{watched.prefix}-alarms"})
    }
    if watched.ops.alarm_email:
        resources["AlarmSubscription"] = _transient(
            SUBSCRIPTION,
            {
                "TopicArn": {"Ref": "AlarmTopic"},
                "Protocol": "email",
                "Endpoint": watched.ops.alarm_email,
            },
        )
    alarms = _alarms(settings, watched)
    resources.update(alarms)
    resources["Dashboard"] = _transient(
        DASHBOARD,
        {
            "DashboardName": watched.prefix,
            "DashboardBody": {"Fn::Sub": dashboard.body(settings, watched, alarms)},
        },
    )
    return resources
