"""Counts every AWS API call the app makes, boto3 and PynamoDB alike (botocore's before-call)."""

from __future__ import annotations

from typing import Any

import botocore.handlers


class AwsCalls:
    """Counts every AWS API call (boto3 and PynamoDB alike) while recording."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.recording = False

    def __call__(self, model: Any, **_: Any) -> None:
        if self.recording:
            self.calls.append(f"{model.service_model.service_name}.{model.name}")

    def record(self) -> list[str]:
        self.calls, self.recording = [], True
        return self.calls


# Registered like moto's own stubber: every botocore session made from now on calls it.
AWS_CALLS = AwsCalls()
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", AWS_CALLS))
