"""The JSON API's errors: each domain error a view raises becomes one problem answer.

The pages' counterpart is web/page_errors.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice.app import Response

from chalicelib.errors import (
    AppError,
    AuthenticationError,
    ConflictError,
    InvalidTokenError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from chalicelib.web.http import error_response
from chalicelib.web.wording import token_failure


def _error_for(exc: AppError) -> Response:
    """The status says the kind of failure; `error` is the code the domain raised it with
    (errors.ErrorCode: a password too short, a name taken, ...)."""
    if isinstance(exc, PayloadTooLargeError):
        return error_response(413, exc.code, exc.message)
    if isinstance(exc, UnsupportedMediaTypeError):
        return error_response(415, exc.code, exc.message)
    if isinstance(exc, RateLimitedError):
        response = error_response(429, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, ValidationError):
        return error_response(400, exc.code, exc.message, exc.field)
    if isinstance(exc, ConflictError):
        return error_response(409, exc.code, exc.message, exc.field)
    if isinstance(exc, NotFoundError):
        return error_response(404, exc.code, str(exc))
    if isinstance(exc, AuthenticationError):
        return error_response(401, exc.code, str(exc))
    if isinstance(exc, InvalidTokenError):
        # Every failure of one kind of token is one answer: the reason stays on our side.
        return error_response(400, exc.code, token_failure(exc))
    raise exc


def api_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """Map our domain errors to JSON 4xx answers (Chalice middleware never sees them)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except AppError as exc:
            return _error_for(exc)

    return wrapper
