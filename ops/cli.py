"""How every ops command answers an operator's mistake: one clear line, what to do, exit 1.

No region, no credentials, an endpoint that does not answer, an unverified SES sender, a
stage missing from .chalice/config.json, a stage half provisioned or half deleted: each is
an everyday slip, not a bug, so it gets one line that says what to do instead of a botocore
traceback. `DEBUG=1` shows the traceback as well.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import traceback
from collections.abc import Callable

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from pynamodb.exceptions import PynamoDBException

from chalicelib.errors import ConfigError

_BAD_CREDENTIALS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
    }
)
_MISSING = frozenset(
    {
        "ResourceNotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "ParameterNotFound",
        "NotFound",
    }
)
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def _endpoint() -> str:
    return os.environ.get("AWS_ENDPOINT_URL") or "AWS"


def _config(exc: ConfigError) -> str:
    line = str(exc)
    if "SECRET_KEY" in line:  # the stage's settings lack a key: not the operator's shell
        line += (
            "; pick a stage with STAGE= (a deployed stage reads its keyring from "
            "SECRET_KEY_PARAMETER; STAGE=local uses `make dev`'s key)"
        )
    return line


def explain(exc: BaseException) -> str | None:
    """The operator's line for a known mistake, or None for anything else (a bug)."""
    if isinstance(exc, ConfigError):
        return _config(exc)
    if isinstance(exc, PynamoDBException):  # PynamoDB wraps botocore's errors
        return explain(exc.cause) if isinstance(exc.cause, Exception) else f"DynamoDB: {exc}"
    if isinstance(exc, NoRegionError):
        return "no AWS region: set AWS_DEFAULT_REGION, or a region in your AWS profile"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials: run `aws configure` or set AWS_PROFILE (or AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY); for an emulator, set AWS_ENDPOINT_URL and dummy keys"
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return (
            f"cannot reach {_endpoint()}: check your network, or AWS_ENDPOINT_URL "
            "(is the emulator running? for STAGE=local, start `make dev` first)"
        )
    if isinstance(exc, subprocess.CalledProcessError):
        command = " ".join(str(part) for part in exc.cmd[-4:])
        return f"`{command}` failed with exit code {exc.returncode}: its output is above"
    if isinstance(exc, ClientError):
        return _client_error(exc)
    if isinstance(exc, BotoCoreError):
        return f"the AWS call failed ({type(exc).__name__}): {exc}"
    return None


def _client_error(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "")
    operation = exc.operation_name
    if code in _BAD_CREDENTIALS:
        return f"AWS refused your credentials ({code}): refresh them or pick another AWS_PROFILE"
    if code in _DENIED:
        return f"your AWS identity may not call {operation}: grant it, or use another profile"
    if code == "MessageRejected" and "not verified" in message:
        return (
            f"SES has not verified the sender yet ({message}): open the link AWS mailed to "
            "it, then run this again"
        )
    if code in _MISSING:
        return (
            f"{operation} found nothing ({message or code}): the stage is not provisioned, or "
            "half deleted; run `make provision STAGE=<stage>` (or `make destroy` to finish)"
        )
    return f"AWS answered {code} to {operation}: {message}"


def operator_errors(action: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Decorate a command's main(): known mistakes exit 1 with `<action> failed: <line>`."""

    def decorate(main: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(main)
        def wrapper(*args: object, **kwargs: object) -> int:
            try:
                return main(*args, **kwargs)
            except (
                ConfigError,
                BotoCoreError,
                ClientError,
                PynamoDBException,
                subprocess.CalledProcessError,
            ) as exc:
                line = explain(exc)
                if line is None or os.environ.get("DEBUG"):
                    traceback.print_exc()
                if line is None:
                    raise
                print(f"{action} failed: {line}", file=sys.stderr)
                return 1

        return wrapper

    return decorate
