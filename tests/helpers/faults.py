"""Make one AWS operation fail for the length of a `with` block (boto3 and PynamoDB alike).

Registered like tests/helpers/awscalls.py: every botocore session calls it before each call,
so the app's own clients fail as they would on a real outage; nothing of ours is patched.
The failure is an error answer in place of the emulator's, as SES faults are in mailkit.py:
botocore raises the ClientError itself and still emits after-call, so the handlers that pair
before-call with after-call (serial_moto's write lock) see the call end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders


class AwsFaults:
    """Answers the armed operations ("dynamodb.GetItem", ...) with an error of their code."""

    def __init__(self) -> None:
        self.armed: dict[str, str] = {}

    def __call__(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        name = f"{model.service_model.service_name}.{model.name}"
        code = self.armed.get(name)
        if code is None:
            return None
        parsed = {
            "Error": {"Code": code, "Message": "injected by the test"},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        }
        return AWSResponse("https://aws.invalid/", 500, HTTPHeaders(), None), parsed


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
