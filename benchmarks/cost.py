"""Dollars per operation from measured AWS calls and Lambda durations, and a price table.

The price table is data (benchmarks/prices.json, with its date and sources). Lambda time is
billed per GB-second at the function's configured memory (.chalice/config.json). Lambda
gives a function CPU in proportion to memory (a full vCPU at 1,769 MB), so the CPU time an
operation takes here (every thread's: argon2id's four lanes run on both cores of this
machine, so wall time would undercount it) is stretched by 1769/memory below that; time
spent waiting on AWS (the latency model's figure per call) is not stretched.

What follows for argon2id: CPU-bound work costs the same GB-seconds at any memory up to
1,769 MB (half the memory, twice the time) and no less above it, so memory only prices the
waiting; 1,024 MB keeps a login's argon2id near a quarter of a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.latency import DELAYS

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


def gb_seconds(function: str, cpu_seconds: float, wait_seconds: float = 0.0) -> float:
    """Billed GB-seconds at the function's memory: CPU time at its share of a vCPU, plus waits."""
    memory = memory_mb(function)
    duration = cpu_seconds * max(1.0, FULL_VCPU_MB / memory) + wait_seconds
    return duration * memory / 1024


def wait_seconds(calls: Iterable[tuple[str, int]]) -> float:
    """Time spent waiting on AWS for these calls, one after another (the latency model)."""
    return sum(DELAYS.get(name.split(".", 1)[0], 0.0) for name, _units in calls)


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
