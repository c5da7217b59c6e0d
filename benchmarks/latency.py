"""A latency model for the in-process emulator: each AWS call waits as long as it would on AWS.

moto answers in microseconds, which hides what the worker's design costs: on AWS a DynamoDB
call takes a few milliseconds and an SES send tens. A botocore before-call handler (registered
for every client made afterwards, boto3's and PynamoDB's alike) sleeps for the service's
figure below before moto answers. The figures are typical same-region round trips.
"""

from __future__ import annotations

import time
from typing import Any

import botocore.handlers

DYNAMODB_SECONDS = 0.005
SQS_SECONDS = 0.010
SES_SECONDS = 0.060
DELAYS = {"dynamodb": DYNAMODB_SECONDS, "sqs": SQS_SECONDS, "ses": SES_SECONDS}


def _units(operation: str, params: dict[str, Any]) -> int:
    """Billing units of one call: DynamoDB items (a transaction's count twice), else 1."""
    if operation == "TransactWriteItems":
        return 2 * len(params.get("TransactItems", []))
    if operation == "BatchGetItem":
        return sum(len(table["Keys"]) for table in params.get("RequestItems", {}).values())
    return 1


class LatencyModel:
    """Sleeps per AWS call while enabled; records every call (name, billing units) meanwhile.

    While recording with the model on, `spans` notes when each modelled wait began and how
    long it was, so that calls made side by side can be told from calls made one after another.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.recording = False
        self.calls: list[tuple[str, int]] = []
        self.spans: list[tuple[float, float]] = []

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        if self.recording:
            self.calls.append((f"{service}.{model.name}", _units(model.name, params)))
        if self.enabled:
            delay = DELAYS.get(service, 0.0)
            if self.recording:
                self.spans.append((time.perf_counter(), delay))
            time.sleep(delay)

    def record(self) -> list[tuple[str, int]]:
        self.calls, self.spans, self.recording = [], [], True
        return self.calls


def critical_path(spans: list[tuple[float, float]]) -> float:
    """Modelled seconds along the longest chain of calls each made after the last one ended.

    Calls in flight at the same time (a claim beside a read) count once, by the longer;
    calls made one after another add up. Only the model's figures are summed, never the
    emulator's own time between calls.
    """
    longest: list[float] = []
    ordered = sorted(spans)
    for start, delay in ordered:
        before = [
            chain
            for (other, other_delay), chain in zip(ordered, longest, strict=False)
            if other + other_delay <= start
        ]
        longest.append(delay + max(before, default=0.0))
    return max(longest, default=0.0)


LATENCY = LatencyModel()


def install() -> None:
    """Register the model for every botocore client made from now on (off until enabled)."""
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", LATENCY))
