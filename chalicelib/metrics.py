"""Business metrics as CloudWatch embedded metric format (EMF) lines, with Powertools Metrics.

An event counted here costs no AWS call: the metrics of one invocation are printed as JSON
lines to stdout when it ends (`flush`, called by app.py's middleware for every handler),
and CloudWatch Logs turns them into metrics. Namespace and the `stage` dimension come from
the stage's settings (chalicelib/ops_settings.py); the only other dimension is `kind` (a
failure's reason, a cap's name), so every dimension has a handful of values: never an
address or a user id. The alarms and the dashboard (ops/deploy/monitoring.py) read them.
"""

from __future__ import annotations

import threading
from enum import StrEnum

from aws_lambda_powertools.metrics import Metrics, MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from chalicelib.ops_settings import get_ops_settings


class Metric(StrEnum):
    """The metrics the app emits (names as CloudWatch shows them)."""

    RESET_REQUESTED = "ResetRequested"
    RESET_COMPLETED = "ResetCompleted"
    VERIFICATION_SENT = "VerificationSent"
    VERIFICATION_CONFIRMED = "VerificationConfirmed"
    EMAIL_SENT = "EmailSent"
    EMAIL_FAILED = "EmailFailed"  # kind: a Failure
    THROTTLED = "Throttled"  # kind: the cap that refused (its throttle scope)
    LOGIN_FAILED = "LoginFailed"
    LOCK_IMPOSED = "LockImposed"
    DEAD_LETTERED = "DeadLettered"
    SEND_LATENCY = "SendLatency"  # milliseconds the worker waited for SES (or SMTP)


class Failure(StrEnum):
    """Why an email did not go out (EmailFailed's kind)."""

    TRANSIENT = "transient"  # retried by the queue
    PERMANENT = "permanent"  # the provider refused it; dead-lettered after the receives
    SUPPRESSED = "suppressed"  # every recipient bounced or complained before
    CAPPED = "capped"  # the address's hourly cap withheld it


_lock = threading.Lock()  # the worker counts from its record threads
_recorders: dict[str, Metrics] = {}  # kind ("" for none) -> its own metric set


def _recorder(kind: str) -> Metrics:
    """The metric set of one dimension set: metrics with and without `kind` cannot share one."""
    found = _recorders.get(kind)
    if found is None:
        settings = get_ops_settings()
        dimensions = {"stage": settings.stage, **({"kind": kind} if kind else {})}
        provider = AmazonCloudWatchEMFProvider(
            namespace=settings.metrics_namespace,
            service="",  # no `service` dimension: the namespace and stage say whose it is
            default_dimensions=dimensions,
        )
        found = _recorders[kind] = Metrics(provider=provider)
    return found


def note(metric: Metric, kind: str = "") -> None:
    """Count one event (published when the invocation ends)."""
    with _lock:
        _recorder(kind).add_metric(name=metric.value, unit=MetricUnit.Count, value=1)


def milliseconds(metric: Metric, value: float) -> None:
    """Record one duration in milliseconds."""
    with _lock:
        _recorder("").add_metric(name=metric.value, unit=MetricUnit.Milliseconds, value=value)


def flush() -> None:
    """Print what this invocation counted as EMF lines (one per dimension set), then forget it."""
    with _lock:
        for recorder in _recorders.values():
            if recorder.provider.metric_set:  # nothing counted: nothing to print
                recorder.flush_metrics()
                recorder.provider.clear_metrics()  # also when POWERTOOLS_METRICS_DISABLED is set
