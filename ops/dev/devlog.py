"""`make dev`'s console: one readable line per request and per app log line.

Deployed stages keep their JSON lines (CloudWatch reads them); on a developer's console the
same records read better as `POST /api/password-reset -> 202 (8.1 ms)`. The app itself is
unchanged: `make dev` reformats what chalice local prints, and gives the in-process worker's
logger a formatter that renders its JSON the same way.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.links import TOKEN_ROUTES
from chalicelib.logs import scrub_path

# chalice local's own chatter that says nothing to a developer: botocore finding its
# configuration on every cold client, PynamoDB looking for an optional settings file.
NOISE = (
    "Found credentials in environment variables.",
    "Found endpoint for ",
    "Override settings for pynamo",
    "Using Default settings value",
)
# chalice local's access log ('127.0.0.1 - - [date] "GET /login HTTP/1.1" 200 -'): our own
# request line says the same, with the latency.
_ACCESS_LOG = re.compile(r'^\S+ - - \[[^\]]*\] "')
# Powertools' fields that every line has, or that only matter in Lambda.
_BOOKKEEPING = frozenset(
    {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "sampling_rate",
        "xray_trace_id",
        "request_id",
        "route",
    }
)


def render(record: Mapping[str, Any]) -> str:
    """One console line for one structured log record."""
    if record.get("message") == "request" and "status" in record:
        return (
            f"{record.get('method')} {record.get('path')} -> {record.get('status')} "
            f"({record.get('latency_ms')} ms)"
        )
    level = str(record.get("level", "INFO"))
    extras = " ".join(f"{k}={v}" for k, v in record.items() if k not in _BOOKKEEPING)
    text = f"{record.get('message', '')}" + (f" ({extras})" if extras else "")
    return text if level == "INFO" else f"{level} {text}"


def console_line(raw: str) -> str | None:
    """The console form of one line chalice local printed; None drops it. Tokens scrubbed."""
    if raw.startswith(NOISE) or _ACCESS_LOG.match(raw):
        return None
    line = raw
    if raw.startswith("{"):
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if isinstance(record, dict) and "message" in record:
            line = render(record)
    return scrub_path(line, TOKEN_ROUTES)


class ConsoleFormatter(logging.Formatter):
    """Renders what another (JSON) formatter writes as one console line."""

    def __init__(self, json_formatter: logging.Formatter) -> None:
        super().__init__()
        self._json = json_formatter

    def format(self, record: logging.LogRecord) -> str:
        text = self._json.format(record)
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        return render(parsed) if isinstance(parsed, dict) else text


def use_console_format() -> None:
    """Give the app's logger (in this process: the queue worker) the console format."""
    from chalicelib.logs import logger

    handler = logger.registered_handler
    handler.setFormatter(ConsoleFormatter(logger.registered_formatter))
