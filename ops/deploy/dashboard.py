"""The stage's CloudWatch dashboard: the app's metrics, its AWS resources, its alarms.

One page an on-call engineer opens first: resets and verifications, what became of the
emails, what the caps refused, the worker's send latency, then the functions, the API, the
queues and the account's SES reputation, and the state of every alarm. The body is JSON
with `${AWS::Region}`, `${AWS::Partition}` and `${AWS::AccountId}` left for Fn::Sub
(CloudFormation fills them in; provisioning does the same, ops/deploy/provision.py).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib.metrics import Failure, Metric
from chalicelib.settings import Settings

if TYPE_CHECKING:
    from ops.deploy.monitoring import Resource, Watched

REGION = "${AWS::Region}"
ALARM_ARN = "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:"
WIDTH, HEIGHT = 12, 6
PERIOD = 300
Line = list[Any]  # a dashboard metric: namespace, name, dimension pairs, {options}


def _widget(title: str, metrics: list[Line], stat: str = "Sum") -> dict[str, Any]:
    properties = {"title": title, "region": REGION, "stat": stat, "period": PERIOD}
    properties |= {"view": "timeSeries", "metrics": metrics}
    return {"type": "metric", "width": WIDTH, "height": HEIGHT, "properties": properties}


def _line(namespace: str, name: str, *dimensions: str, **options: str) -> Line:
    return [namespace, name, *dimensions, *([options] if options else [])]


def _app_widgets(watched: Watched) -> list[dict[str, Any]]:
    ns, stage = watched.ops.metrics_namespace, watched.ops.stage

    def ours(metric: Metric, *kind: str, **options: str) -> Line:
        return _line(
            ns, metric.value, "stage", stage, *(("kind", *kind) if kind else ()), **options
        )

    search = f'{{{ns},kind,stage}} MetricName="{Metric.THROTTLED}" stage="{stage}"'
    throttled = {"expression": f"SEARCH('{search}', 'Sum', {PERIOD})", "id": "caps"}
    requests = (Metric.RESET_REQUESTED, Metric.RESET_COMPLETED)
    verification = (Metric.VERIFICATION_SENT, Metric.VERIFICATION_CONFIRMED)
    return [
        _widget("Resets and verifications", [ours(m) for m in (*requests, *verification)]),
        _widget(
            "Emails: sent, failed by reason, dead-lettered",
            [
                ours(Metric.EMAIL_SENT),
                *(ours(Metric.EMAIL_FAILED, f.value) for f in Failure),
                ours(Metric.DEAD_LETTERED),
            ],
        ),
        _widget(
            "Refused: by each cap, failed logins, locks imposed",
            [[throttled], ours(Metric.LOGIN_FAILED), ours(Metric.LOCK_IMPOSED)],
        ),
        _widget(
            "Worker send latency (ms)",
            [ours(Metric.SEND_LATENCY, stat="p50"), ours(Metric.SEND_LATENCY, stat="p99")],
            stat="Average",
        ),
    ]


def _aws_widgets(settings: Settings, watched: Watched) -> list[dict[str, Any]]:
    functions = watched.functions.values()
    api = ("ApiName", watched.api_name, "Stage", watched.api_stage)
    queues = [("Mail queue", settings.queue_name), ("Dead letters", settings.mail.dlq_name)]
    return [
        _widget(
            "Functions: errors and throttles",
            [
                _line("AWS/Lambda", m, "FunctionName", f)
                for f in functions
                for m in ("Errors", "Throttles")
            ],
        ),
        _widget(
            "Functions: duration p99 (ms)",
            [_line("AWS/Lambda", "Duration", "FunctionName", f) for f in functions],
            stat="p99",
        ),
        _widget(
            "API: requests, 4xx, 5xx",
            [_line("AWS/ApiGateway", m, *api) for m in ("Count", "4XXError", "5XXError")],
        ),
        _widget(
            "Queues: oldest message age (s), messages waiting",
            [
                _line(
                    "AWS/SQS",
                    "ApproximateAgeOfOldestMessage",
                    "QueueName",
                    q,
                    label=f"{label}: age",
                )
                for label, q in queues
            ]
            + [
                _line(
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    q,
                    label=f"{label}: waiting",
                )
                for label, q in queues
            ],
            stat="Maximum",
        ),
        _widget(
            "SES reputation: bounce and complaint rates",
            [
                _line("AWS/SES", "Reputation.BounceRate"),
                _line("AWS/SES", "Reputation.ComplaintRate"),
            ],
            stat="Maximum",
        ),
    ]


def body(settings: Settings, watched: Watched, alarms: dict[str, Resource]) -> str:
    """The dashboard's JSON body (for Fn::Sub: region, partition and account left open)."""
    names = sorted(alarm["Properties"]["AlarmName"] for alarm in alarms.values())
    status = {
        "type": "alarm",
        "width": 2 * WIDTH,
        "height": HEIGHT,
        "properties": {"title": "Alarms", "alarms": [ALARM_ARN + name for name in names]},
    }
    widgets = [status, *_app_widgets(watched), *_aws_widgets(settings, watched)]
    return json.dumps({"widgets": widgets}, separators=(",", ":"))
