"""One error shape for the whole JSON API: RFC 9457 problem details (application/problem+json).

`type`, `title`, `status` and `detail` are the RFC's; `error` (a stable machine-readable code)
and `field` (the input at fault) are our extension members. The same shape is used by the app,
by its rewrite of Chalice's own answers, and by API Gateway's gateway responses in both deploy
paths (ops/gateway_responses.py), so a client parses one thing whoever answered.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, error: str, detail: str, field: str | None = None) -> dict[str, Any]:
    """The problem object of one error answer."""
    body: dict[str, Any] = {
        "type": "about:blank",  # RFC 9457: the title is then the HTTP status phrase
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "error": error,
    }
    if field:
        body["field"] = field
    return body
