"""make dev's console: one readable line per request, no chatter, no tokens."""

from __future__ import annotations

import json
import logging

from chalice.test import Client

from ops.dev.devlog import ConsoleFormatter, console_line
from tests.helpers.web import post_json


def test_a_request_record_becomes_one_readable_line() -> None:
    record = {
        "level": "INFO",
        "message": "request",
        "method": "POST",
        "route": "/api/password-reset",
        "path": "/api/password-reset",
        "status": 202,
        "latency_ms": 8.1,
        "request_id": "abc",
        "timestamp": "2026-11-25 09:52:50,441+0000",
        "service": "microblog-accounts",
    }
    assert console_line(json.dumps(record)) == "POST /api/password-reset -> 202 (8.1 ms)"


def test_chatter_and_the_duplicate_access_line_are_dropped() -> None:
    for line in (
        '127.0.0.1 - - [25/Nov/2026 09:52:50] "GET /login HTTP/1.1" 200 -',
        "Override settings for pynamo not available /etc/pynamodb/global_default_settings.py",
        "Using Default settings value",
        "Found credentials in environment variables.",
    ):
        assert console_line(line) is None


def test_other_records_keep_their_fields_and_lose_tokens() -> None:
    record = {"level": "WARNING", "message": "odd", "to": "s***@example.com", "service": "x"}
    assert console_line(json.dumps(record)) == "WARNING odd (to=s***@example.com)"
    assert console_line("GET /reset_password/a.b.c") == "GET /reset_password/[redacted]"
    assert console_line("Serving on http://127.0.0.1:8000") == "Serving on http://127.0.0.1:8000"


def test_the_apps_own_log_lines_render_the_same_way(client: Client) -> None:
    from chalicelib.logs import logger

    stream_lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stream_lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(ConsoleFormatter(logger.registered_formatter))
    target = logging.getLogger(logger.service)
    target.addHandler(handler)
    try:
        post_json(client, "/api/password-reset", {"email": "nobody@example.com"})
    finally:
        target.removeHandler(handler)
    assert stream_lines[-1].startswith("POST /api/password-reset -> 202 (")
