"""Logs: one JSON line per request; no token, password or clear email address in any line."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice.test import Client

from chalicelib.links import TOKEN_ROUTES
from chalicelib.logs import scrub_path
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, VERIFY, drain_queue, token_from, with_subject
from tests.helpers.web import Browser, post_json

Lines = Callable[[], list[dict[str, Any]]]


def test_one_structured_line_per_request(client: Client, log_lines: Lines) -> None:
    client.http.get("/api/health")
    client.http.get("/login")
    [health, login] = [line for line in log_lines() if line["message"] == "request"]
    assert health["route"] == "/api/health"
    assert health["status"] == 200
    assert login["route"] == "/login"
    assert login["method"] == "GET"
    for line in (health, login):
        assert line["level"] == "INFO"
        assert line["request_id"]
        assert isinstance(line["latency_ms"], float)
        assert line["timestamp"]
    assert health["request_id"] != login["request_id"]


def test_the_whole_flow_leaves_no_secret_in_the_logs(client: Client, log_lines: Lines) -> None:
    post_json(
        client,
        "/api/users",
        {"username": "susan", "email": "susan@example.com", "password": PASSWORD},
    )
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    post_json(client, "/api/password-reset", {"email": "nobody@example.com"})
    drain_queue()
    [verify_mail] = with_subject("Confirm")
    verify_token = token_from(verify_mail, VERIFY)
    browser_v = Browser(client)
    browser_v.get(f"/verify_email/{verify_token}")
    browser_v.submit(f"/verify_email/{verify_token}", {})
    [reset_mail] = with_subject("Reset")
    token = token_from(reset_mail, RESET)
    browser = Browser(client)
    browser.get(f"/reset_password/{token}")
    browser.submit(
        f"/reset_password/{token}", {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    access = post_json(client, "/api/tokens", {"username": "susan", "password": NEW_PASSWORD})
    drain_queue()

    text = "\n".join(json.dumps(line) for line in log_lines())
    for secret in (token, verify_token, PASSWORD, NEW_PASSWORD, access.json_body["access_token"]):
        assert secret not in text
    for address in ("susan@example.com", "nobody@example.com"):
        assert address not in text
    assert "s***@example.com" in text
    assert "n***@example.com" in text
    assert "/reset_password/[redacted]" in text
    assert "/verify_email/[redacted]" in text


def test_tokens_are_scrubbed_from_paths() -> None:
    def scrub(text: str) -> str:
        return scrub_path(text, TOKEN_ROUTES)

    assert scrub("/prod/reset_password/a.b.c") == "/prod/reset_password/[redacted]"
    assert scrub("/reset_password/a.b.c?x=1") == "/reset_password/[redacted]?x=1"
    assert scrub("/login") == "/login"
    access_log = '"GET /reset_password/a.b.c HTTP/1.1" 200 -'  # chalice local's, in make dev
    assert scrub(access_log) == '"GET /reset_password/[redacted] HTTP/1.1" 200 -'


def test_every_link_route_and_anything_jwt_shaped_is_scrubbed() -> None:
    assert TOKEN_ROUTES  # every purpose with an emailed link names its route
    for route in TOKEN_ROUTES:
        assert scrub_path(f"/{route}/opaque", TOKEN_ROUTES) == f"/{route}/[redacted]"
    jwt_ish = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert scrub_path(f"/anywhere?t={jwt_ish}") == "/anywhere?t=[redacted]"
    assert scrub_path(f"/cut/{jwt_ish[:30]}") == "/cut/[redacted]"
    assert scrub_path("/static/style.abc.css") == "/static/style.abc.css"
