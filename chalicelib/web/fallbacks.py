"""Answers the app does not write itself, put in its own shapes.

Chalice answers some requests before or after our views: 405 for a method a route lacks,
415 for a page posted with the wrong body type, 500 when a view fails. It writes them as
{"Code", "Message"}. This middleware gives the JSON API its one error shape (problem details)
and a browser an HTML page with the way forward; a 500 names the request id (also sent in
the X-Request-Id header) so a report can be matched with the logs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import Request, Response

from chalicelib.errors import ErrorCode
from chalicelib.i18n import N_
from chalicelib.web.http import error_response, request_id
from chalicelib.web.page import PageRequest

REQUEST_ID_HEADER = "X-Request-Id"
# Chalice's error code -> (our code, what to tell the caller)
_UNKNOWN_ERROR = N_("The request could not be handled.")
_CHALICE_ERRORS = {
    "MethodNotAllowedError": (
        ErrorCode.METHOD_NOT_ALLOWED,
        N_("This address does not take that method."),
    ),
    "UnsupportedMediaType": (
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        N_("This address does not take that body type."),
    ),
    "BadRequestError": (ErrorCode.INVALID_REQUEST, N_("The request could not be read.")),
    "NotFoundError": (ErrorCode.NOT_FOUND, N_("There is nothing at this address.")),
    "InternalServerError": (
        ErrorCode.SERVER_ERROR,
        N_("Something went wrong on our side; try again later."),
    ),
}


def _chalice_error(response: Response) -> str | None:
    body = response.body
    if isinstance(body, Mapping) and set(body) == {"Code", "Message"}:
        return str(body["Code"])
    return None


def reshape(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Run the view; put Chalice's own error answers in our shapes; add the request id."""
    response = get_response(request)
    chalice_code = _chalice_error(response)
    if chalice_code is not None:
        response = _ours(request, response, chalice_code)
    response.headers[REQUEST_ID_HEADER] = request_id(request)
    return response


def _ours(request: Request, response: Response, chalice_code: str) -> Response:
    status = response.status_code
    unknown = ErrorCode.SERVER_ERROR if status >= 500 else ErrorCode.INVALID_REQUEST
    code, words = _CHALICE_ERRORS.get(chalice_code, (unknown, _UNKNOWN_ERROR))
    kept: dict[str, Any] = {k: v for k, v in response.headers.items() if k.lower() == "allow"}
    if request.path.startswith("/api/"):
        answer = error_response(status, code, words)
    else:
        answer = _page(request, status, words)
    answer.headers.update(kept)
    return answer


def _page(request: Request, status: int, words: str) -> Response:
    page = PageRequest(request)
    if status < 500:
        return page.sorry(status, words)
    page.session.forget()  # whatever failed may fail again: no session lookup on this page
    return page.sorry(status, words, reference=request_id(request))
