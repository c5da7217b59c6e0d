"""The per-request log line: request id, route, status, latency; never a token or body."""

from __future__ import annotations

import time
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.links import TOKEN_ROUTES
from chalicelib.logs import logger, scrub_path
from chalicelib.web.http import request_id


def log_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Run the view and log one JSON line about it."""
    started = time.perf_counter()
    response = get_response(request)
    context = request.context
    logger.info(
        "request",
        request_id=request_id(request),
        method=request.method,
        route=context.get("resourcePath"),
        path=scrub_path(request.path, TOKEN_ROUTES),
        status=response.status_code,
        latency_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return response
