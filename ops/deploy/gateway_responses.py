"""API Gateway's own answers (unknown paths, throttling, its 4xx and 5xx) in the app's shapes.

API Gateway answers some requests before the app sees them: an unknown path gets 403
{"message": "Missing Authentication Token"}. These gateway responses make them speak the
app's one error shape (chalicelib/web/problems.py), and give a browser that asks for an
unknown page an HTML page instead (chalicelib/web/not_found.py, in every language).

A gateway response cannot run code, and Chalice has no catch-all route to hand the request
to the app, so the choice is API Gateway's own: a gateway response has one template per
content type and API Gateway picks the one the request's Accept header names (a browser's
Accept starts with text/html; an API client's is application/json, */* or absent, which get
the problem). The picked template's type is the answer's Content-Type, so the unknown-path
answers send no fixed one. Declared once; `make deploy` puts them on the REST API after
`chalice deploy` (put_gateway_response) and `make package` writes them as GatewayResponses
of its API. `make dev` plays them too (ops/dev/local_api.py, with `answer` below).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.errors import ErrorCode
from chalicelib.web.problems import PROBLEM_TYPE, problem

JSON = "application/json"
HTML = "text/html"
# response type -> (status to answer with, or None to keep API Gateway's; code; detail)
RESPONSES: dict[str, tuple[int | None, ErrorCode, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (
        404,
        ErrorCode.NOT_FOUND,
        "There is nothing at this address.",
    ),
    "RESOURCE_NOT_FOUND": (404, ErrorCode.NOT_FOUND, "There is nothing at this address."),
    "THROTTLED": (
        429,
        ErrorCode.TOO_MANY_REQUESTS,
        "Too many requests: please try again a little later.",
    ),
    "REQUEST_TOO_LARGE": (413, ErrorCode.PAYLOAD_TOO_LARGE, "Request body is too large."),
    "DEFAULT_4XX": (None, ErrorCode.INVALID_REQUEST, "The request could not be handled."),
    "DEFAULT_5XX": (
        None,
        ErrorCode.SERVER_ERROR,
        "Something went wrong on our side; try again later.",
    ),
}
# The answers a browser asking for a page gets as the not-found page.
PAGE_TYPES = frozenset({"MISSING_AUTHENTICATION_TOKEN", "RESOURCE_NOT_FOUND"})
# What those send whichever template is picked (a page's headers, as web/http.py's).
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def template(status: int | None, error: str, detail: str) -> str:
    """The problem template: our problem object (status left out where it is not fixed)."""
    body = problem(status or 500, error, detail)
    if status is None:  # RFC 9457: status is advisory; the HTTP status line is the truth
        del body["status"]
        body["title"] = "Error"
    return json.dumps(body)


def headers(response_type: str) -> dict[str, str]:
    """The headers a response type sends: the page's for a page type (its Content-Type is
    the picked template's), problem+json for the others."""
    return dict(PAGE_HEADERS) if response_type in PAGE_TYPES else {"Content-Type": PROBLEM_TYPE}


def templates(response_type: str, page: Any) -> dict[str, Any]:
    """Its templates by content type: the problem, and for a page type the HTML `page`."""
    status, error, detail = RESPONSES[response_type]
    found: dict[str, Any] = {JSON: template(status, error, detail)}
    if response_type in PAGE_TYPES:
        found[HTML] = page
    return found


def gateway_response(response_type: str, page: str) -> dict[str, Any]:
    """put_gateway_response's arguments (less the API id) for one response type."""
    status = RESPONSES[response_type][0]
    arguments: dict[str, Any] = {
        "responseType": response_type,
        "responseParameters": {
            f"gatewayresponse.header.{name}": f"'{value}'"
            for name, value in headers(response_type).items()
        },
        "responseTemplates": templates(response_type, page),
    }
    if status is not None:
        arguments["statusCode"] = str(status)
    return arguments


def sam_gateway_responses(page: Any) -> dict[str, Any]:
    """The same answers as the SAM API's GatewayResponses (part of its deployment); `page`
    may be an intrinsic function (Fn::Sub of the PublicBaseUrl parameter)."""
    responses = {}
    for response_type, (status, _error, _detail) in RESPONSES.items():
        entry: dict[str, Any] = {
            "ResponseParameters": {
                "Headers": {name: f"'{value}'" for name, value in headers(response_type).items()}
            },
            "ResponseTemplates": templates(response_type, page),
        }
        if status is not None:
            entry["StatusCode"] = status
        responses[response_type] = entry
    return responses


def put_all(client: Any, rest_api_id: str, stage_name: str, page: str) -> list[str]:
    """Put every declared gateway response on a deployed REST API and redeploy its stage
    (gateway responses take effect with the next deployment); returns their types."""
    for response_type in RESPONSES:
        client.put_gateway_response(restApiId=rest_api_id, **gateway_response(response_type, page))
    client.create_deployment(restApiId=rest_api_id, stageName=stage_name)
    return list(RESPONSES)


def picked(accept: str, offered: dict[str, Any]) -> str:
    """The template API Gateway picks: the first media type of Accept that one is written for;
    none (or only */*): application/json."""
    for item in accept.split(","):
        media_type = item.split(";", 1)[0].strip().lower()
        if media_type in offered:
            return media_type
    return JSON


def answer(response_type: str, accept: str, page: str) -> tuple[int, dict[str, str], str]:
    """The status, headers and body a request with this Accept header gets (for make dev)."""
    offered = templates(response_type, page)
    content_type = picked(accept, offered)
    sent = {**headers(response_type)}
    sent.setdefault(
        "Content-Type", f"{content_type}; charset=utf-8" if content_type == HTML else content_type
    )
    return RESPONSES[response_type][0] or 500, sent, str(offered[content_type])
