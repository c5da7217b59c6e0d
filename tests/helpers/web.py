"""Talking to the app like a client: JSON and form posts, cookies, a tiny browser."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from chalice.test import Client

from tests.helpers.environment import BASE_URL, PASSWORD

# The routes of the emailed links that carry a token.
RESET, VERIFY = "reset_password", "verify_email"


def link_in(text: str, route: str) -> str:
    """The first link to `route` with its token in `text` (an email's body), as written."""
    found = re.search(rf"\S+/{route}/[A-Za-z0-9_.-]+", text)
    assert found, f"no /{route}/ link in:\n{text}"
    return found.group(0)


# The tests' site is https: its session, CSRF nonce and device token are __Host- cookies.
SESSION_COOKIE = "__Host-session"
CSRF_COOKIE = "__Host-csrf"
DEVICE_COOKIE = "__Host-device"


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def post_json(client: Client, path: str, body: Any, **headers: str) -> Any:
    """POST a JSON body through the Chalice test client."""
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.http.post(
        path, body=payload, headers={"Content-Type": "application/json", **headers}
    )


def post_form(
    client: Client, path: str, fields: dict[str, str], cookie: str = "", **extra: str
) -> Any:
    """POST an urlencoded HTML form through the Chalice test client."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", **extra}
    if cookie:
        headers["Cookie"] = cookie
    return client.http.post(path, body=urlencode(fields), headers=headers)


def cookies_from(response: Any) -> dict[str, str]:
    """{name: value} of the Set-Cookie headers of a response (expired ones as '')."""
    raw = response.headers.get("Set-Cookie", [])
    values = raw if isinstance(raw, list) else [raw]
    return {v.split("=", 1)[0]: v.split("=", 1)[1].split(";", 1)[0] for v in values}


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


class Browser:
    """A tiny cookie-keeping browser over the Chalice test client."""

    def __init__(self, client: Client, accept_language: str = "") -> None:
        self.client = client
        self.jar: dict[str, str] = {}
        # Sent with every request, as a browser set to that language would.
        self.sent = {"Accept-Language": accept_language} if accept_language else {}

    def _keep(self, response: Any) -> Any:
        self.jar.update(cookies_from(response))
        self.jar = {k: v for k, v in self.jar.items() if v}
        return response

    def get(self, path: str, **headers: str) -> Any:
        headers = {**self.sent, **headers}
        if self.jar:
            headers["Cookie"] = cookie_header(self.jar)
        return self._keep(self.client.http.get(path, headers=headers))

    def submit(self, path: str, fields: dict[str, str], csrf: bool = True) -> Any:
        """GET the form page for its CSRF token, then POST `fields` like a browser would."""
        if csrf and "csrf_token" not in fields:
            fields = {**fields, "csrf_token": csrf_from(self.get(path).body.decode())}
        return self._keep(
            post_form(self.client, path, fields, cookie_header(self.jar), **self.sent)
        )

    def follow(self, response: Any) -> Any:
        assert response.status_code in (302, 303), response.status_code
        location = response.headers["Location"]
        assert location.startswith(BASE_URL), location
        return self.get(location[len(BASE_URL) :] or "/")


def json_of(answer: dict[str, Any]) -> Any:
    """The JSON body of a Lambda handler's answer (api_gateway_post)."""
    return json.loads(answer["body"])


def log_in(browser: Browser, password: str = PASSWORD, remember: bool = False) -> Any:
    """Submit the login form as susan; the answer (303 home when it worked)."""
    fields = {"username": "susan", "password": password}
    if remember:
        fields["remember_me"] = "y"
    return browser.submit("/login", fields)


def sign_up(browser: Browser, username: str = "susan", email: str = "susan@example.com") -> Any:
    """Submit the registration form (the password typed twice); the answer (303 to /login)."""
    fields = {"username": username, "email": email, "password": PASSWORD, "password2": PASSWORD}
    return browser.submit("/register", fields)


def api_gateway_post(path: str, body: Any, source_ip: str, **headers: str) -> dict[str, Any]:
    """POST JSON through the Lambda handler with an API Gateway proxy event from `source_ip`.

    chalice local and the test client report one caller address; API Gateway reports each
    caller's own, which is what per-client caps count.
    """
    return api_gateway_request("POST", path, source_ip, body=body, **headers)


def api_gateway_request(
    method: str, path: str, source_ip: str, body: Any = None, **headers: str
) -> dict[str, Any]:
    """Any request through the Lambda handler with an API Gateway proxy event from
    `source_ip` (a JSON body when `body` is given)."""
    import app as app_module

    sent = {"content-type": "application/json", **headers} if body is not None else headers
    event = {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/prod{path}",
            "requestId": f"req-{source_ip}",
            "identity": {"sourceIp": source_ip},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
    response: dict[str, Any] = app_module.app(event, None)
    return response
