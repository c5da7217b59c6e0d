"""API Gateway's own answers (unknown paths, throttling, its 4xx and 5xx) as problem details.

API Gateway answers some requests before the app sees them: an unknown path gets 403
{"message": "Missing Authentication Token"}. These gateway responses make them speak the
app's one error shape (chalicelib/web/problems.py). Declared once; `make deploy` puts them on
the REST API after `chalice deploy` (put_gateway_response) and `make package` writes them as
GatewayResponses of its API. chalice local has no gateway: there Chalice
answers unknown paths itself (docs/api.md).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.web.problems import PROBLEM_TYPE, problem

# response type -> (status to answer with, or None to keep API Gateway's; code; detail)
RESPONSES: dict[str, tuple[int | None, str, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "There is nothing at this address."),
    "RESOURCE_NOT_FOUND": (404, "not_found", "There is nothing at this address."),
    "THROTTLED": (429, "throttled", "Too many requests: please try again a little later."),
    "REQUEST_TOO_LARGE": (413, "payload_too_large", "Request body is too large."),
    "DEFAULT_4XX": (None, "bad_request", "The request could not be handled."),
    "DEFAULT_5XX": (None, "server_error", "Something went wrong on our side; try again later."),
}


def template(status: int | None, error: str, detail: str) -> str:
    """The response template: our problem object (status left out where it is not fixed)."""
    body = problem(status or 500, error, detail)
    if status is None:  # RFC 9457: status is advisory; the HTTP status line is the truth
        del body["status"]
        body["title"] = "Error"
    return json.dumps(body)


def gateway_response(response_type: str) -> dict[str, Any]:
    """put_gateway_response's arguments (less the API id) for one response type."""
    status, error, detail = RESPONSES[response_type]
    arguments: dict[str, Any] = {
        "responseType": response_type,
        "responseParameters": {"gatewayresponse.header.Content-Type": f"'{PROBLEM_TYPE}'"},
        "responseTemplates": {"application/json": template(status, error, detail)},
    }
    if status is not None:
        arguments["statusCode"] = str(status)
    return arguments


def sam_gateway_responses() -> dict[str, Any]:
    """The same answers as the SAM API's GatewayResponses (part of its deployment)."""
    responses = {}
    for response_type in RESPONSES:
        arguments = gateway_response(response_type)
        entry: dict[str, Any] = {
            "ResponseParameters": {"Headers": {"Content-Type": f"'{PROBLEM_TYPE}'"}},
            "ResponseTemplates": arguments["responseTemplates"],
        }
        if "statusCode" in arguments:
            entry["StatusCode"] = int(arguments["statusCode"])
        responses[response_type] = entry
    return responses


def put_all(client: Any, rest_api_id: str, stage_name: str) -> list[str]:
    """Put every declared gateway response on a deployed REST API and redeploy its stage
    (gateway responses take effect with the next deployment); returns their types."""
    for response_type in RESPONSES:
        client.put_gateway_response(restApiId=rest_api_id, **gateway_response(response_type))
    client.create_deployment(restApiId=rest_api_id, stageName=stage_name)
    return list(RESPONSES)
