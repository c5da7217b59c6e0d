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
    """Sleeps per AWS call while enabled; records every call (name, billing units) meanwhile."""

    def __init__(self) -> None:
        self.enabled = False
        self.recording = False
        self.calls: list[tuple[str, int]] = []

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        if self.recording:
            self.calls.append((f"{service}.{model.name}", _units(model.name, params)))
        if self.enabled:
            time.sleep(DELAYS.get(service, 0.0))

    def record(self) -> list[tuple[str, int]]:
        self.calls, self.recording = [], True
        return self.calls


LATENCY = LatencyModel()


def install() -> None:
    """Register the model for every botocore client made from now on (off until enabled)."""
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", LATENCY))
