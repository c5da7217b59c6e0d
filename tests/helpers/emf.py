"""CloudWatch embedded metric format (EMF) lines, parsed from what a test captured on stdout."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EmfLine:
    """One EMF log line: its namespace, dimensions, metric values and units."""

    namespace: str
    dimensions: dict[str, str]
    values: dict[str, list[float]]
    units: dict[str, str]


def _parse(record: dict[str, Any]) -> EmfLine:
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    (names,) = directive["Dimensions"]
    values = {}
    for metric in directive["Metrics"]:
        raw = record[metric["Name"]]
        values[metric["Name"]] = [float(v) for v in (raw if isinstance(raw, list) else [raw])]
    return EmfLine(
        namespace=directive["Namespace"],
        dimensions={name: record[name] for name in names},
        values=values,
        units={m["Name"]: m["Unit"] for m in directive["Metrics"]},
    )


def emitted(output: str) -> list[EmfLine]:
    """Every EMF line in `output` (other lines are skipped)."""
    lines = []
    for raw in output.splitlines():
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "_aws" in record:
            lines.append(_parse(record))
    return lines


def counts(output: str) -> dict[tuple[str, str], float]:
    """(metric name, kind or "") -> the sum counted in `output`."""
    found: dict[tuple[str, str], float] = {}
    for line in emitted(output):
        for name, values in line.values.items():
            key = (name, line.dimensions.get("kind", ""))
            found[key] = found.get(key, 0.0) + sum(values)
    return found
