"""Provisioning what watches a stage (ops/deploy/monitoring.py): alarms, dashboard, subscription.

Each is put by name, so running it again brings an alarm or the dashboard to its declaration
and changes nothing else. CloudFormation's property names are the API's, so the properties
go to CloudWatch as they are.
"""

from __future__ import annotations

from typing import Any

from ops.deploy import monitoring
from ops.deploy.provisioner import Creator, Made, Provisioner


def _alarm(p: Provisioner, properties: dict[str, Any]) -> Made:
    p.client("cloudwatch").put_metric_alarm(**properties)
    return Made(properties["AlarmName"])


def _dashboard(p: Provisioner, properties: dict[str, Any]) -> Made:
    name = properties["DashboardName"]
    p.client("cloudwatch").put_dashboard(
        DashboardName=name, DashboardBody=properties["DashboardBody"]
    )
    return Made(name)


def _subscription(p: Provisioner, properties: dict[str, Any]) -> Made:
    """Subscribe ALARM_EMAIL to the alarm topic (SNS keeps one subscription per address)."""
    answer = p.client("sns").subscribe(
        TopicArn=properties["TopicArn"],
        Protocol=properties["Protocol"],
        Endpoint=properties["Endpoint"],
        ReturnSubscriptionArn=True,
    )
    address = properties["Endpoint"]
    return Made(answer["SubscriptionArn"], note=f"{address} (it confirms with the link AWS mails)")


CREATORS: dict[str, Creator] = {
    monitoring.ALARM: _alarm,
    monitoring.DASHBOARD: _dashboard,
    monitoring.SUBSCRIPTION: _subscription,
}
