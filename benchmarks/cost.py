"""Dollars per operation from measured AWS calls and Lambda durations, and a price table.

The price table is data (benchmarks/prices.json, with its date and source). Lambda time is
billed per GB-second at the function's configured memory (.chalice/config.json); Lambda
gives a function CPU in proportion to memory (a full vCPU at 1,769 MB), so a duration
measured here on a full core is stretched by 1769/memory below that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FULL_VCPU_MB = 1769
DYNAMODB_WRITES = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
)


def prices() -> dict[str, Any]:
    return dict(json.loads((ROOT / "benchmarks" / "prices.json").read_text()))


def memory_mb(function: str) -> int:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return int(config["lambda_functions"][function]["lambda_memory_size"])


@dataclass(frozen=True)
class Operation:
    """What one operation costs in requests, calls and compute (fractions allowed)."""

    api_requests: float
    lambda_requests: float
    gb_seconds: float
    calls: tuple[tuple[str, int], ...]


def gb_seconds(function: str, measured_seconds: float) -> float:
    """Billed GB-seconds of `measured_seconds` on a full core, at the function's memory."""
    memory = memory_mb(function)
    stretched = measured_seconds * max(1.0, FULL_VCPU_MB / memory)
    return stretched * memory / 1024


def call_dollars(calls: Iterable[tuple[str, int]], table: dict[str, Any]) -> dict[str, float]:
    """Dollars by service for these AWS calls."""
    out: dict[str, float] = {}
    for name, units in calls:
        service, operation = name.split(".", 1)
        if service == "dynamodb":
            writes = operation in DYNAMODB_WRITES
            price = table["dynamodb_per_write_unit" if writes else "dynamodb_per_read_unit"]
            cost = units * price
        elif service == "sqs":
            cost = table["sqs_per_request"]
        elif service == "ses":
            cost = table["ses_per_email"] if operation.startswith("Send") else 0.0
        elif service == "ssm":
            cost = table["ssm_parameter_per_call"]
        else:
            cost = table["secrets_manager_per_call"] if service == "secretsmanager" else 0.0
        out[service] = out.get(service, 0.0) + cost
    return out


def breakdown(operation: Operation, table: dict[str, Any]) -> dict[str, float]:
    """Dollars by line item for one operation."""
    out = call_dollars(operation.calls, table)
    out["apigateway"] = operation.api_requests * table["api_gateway_rest_per_request"]
    out["lambda"] = (
        operation.lambda_requests * table["lambda_per_request"]
        + operation.gb_seconds * table["lambda_per_gb_second"]
    )
    return out
