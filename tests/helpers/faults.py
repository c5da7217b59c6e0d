"""Make one AWS operation fail for the length of a `with` block (boto3 and PynamoDB alike).

Registered like tests/helpers/awscalls.py: every botocore session calls it before each call,
so the app's own clients fail as they would on a real outage; nothing of ours is patched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.handlers
from botocore.exceptions import ClientError


class AwsFaults:
    """Raises a ClientError for the armed operations ("dynamodb.GetItem", ...)."""

    def __init__(self) -> None:
        self.armed: dict[str, str] = {}

    def __call__(self, model: Any, **_: Any) -> None:
        name = f"{model.service_model.service_name}.{model.name}"
        code = self.armed.get(name)
        if code is not None:
            error = {"Error": {"Code": code, "Message": "injected by the test"}}
            raise ClientError(error, model.name)  # type: ignore[arg-type]


AWS_FAULTS = AwsFaults()
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", AWS_FAULTS))


@contextmanager
def failing(operation: str, code: str = "InternalServerError") -> Iterator[None]:
    """`operation` ("service.Operation") fails with `code` inside the block."""
    AWS_FAULTS.armed[operation] = code
    try:
        yield
    finally:
        AWS_FAULTS.armed.pop(operation, None)
