"""Transports that hand each request to the Chalice test client (no server, no port).

schemathesis speaks requests and a generated client speaks httpx; these let either call the
app in-process, inside the test's moto account, as API Gateway would route the path under the
stage.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
from chalice.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPHeaderDict, HTTPResponse


class ChaliceAdapter(BaseAdapter):
    """Sends every request under `base_url` to the Chalice test client."""

    def __init__(self, client: Client, base_url: str) -> None:
        super().__init__()
        self.client = client
        self.stage_path = urlsplit(base_url).path

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:  # type: ignore[override]
        url = urlsplit(request.url or "")
        path = url.path.removeprefix(self.stage_path) or "/"
        if url.query:
            path = f"{path}?{url.query}"
        body = request.body or b""
        answer = self.client.http.request(
            method=request.method or "GET",
            path=path,
            headers=dict(request.headers),
            body=body.encode() if isinstance(body, str) else body,
        )
        headers = HTTPHeaderDict()
        for name, value in answer.headers.items():
            for item in value if isinstance(value, list) else [value]:
                headers.add(name, item)
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = HTTPStatus(answer.status_code).phrase
        response.headers = CaseInsensitiveDict(headers)
        response.raw = HTTPResponse(  # what schemathesis reads the headers from
            body=io.BytesIO(answer.body),
            headers=headers,
            status=answer.status_code,
            version=11,
            preload_content=False,
        )
        response._content = answer.body
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release: no connections."""


def session_for(client: Client, base_url: str) -> requests.Session:
    """A requests session whose calls under `base_url` reach the app in-process."""
    session = requests.Session()
    session.mount(base_url, ChaliceAdapter(client, base_url))
    return session


class ChaliceTransport(httpx.BaseTransport):
    """An httpx transport: every request under `base_url` goes to the Chalice test client."""

    def __init__(self, client: Client, base_url: str) -> None:
        self.client = client
        self.stage_path = urlsplit(base_url).path

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(self.stage_path) or "/"
        if request.url.query:
            path = f"{path}?{request.url.query.decode()}"
        answer = self.client.http.request(
            method=request.method,
            path=path,
            headers=dict(request.headers),
            body=request.read(),
        )
        headers = [
            (name, item)
            for name, value in answer.headers.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        return httpx.Response(answer.status_code, headers=headers, content=answer.body)
