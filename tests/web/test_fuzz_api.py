"""Property: arbitrary bodies (JSON with lone surrogates and deep nesting, forms with invalid
percent-escapes, raw bytes) under any content type, at every route, pages included, never
yield a 5xx; rejected API input changes nothing (a refused password may only move the counters
of failed logins and of a session's wrong passwords)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import aws
from chalicelib.auth import tokens, users
from chalicelib.settings import get_settings
from tests.helpers.accounts import signed_in_token
from tests.helpers.environment import PASSWORD
from tests.helpers.web import csrf_from, post_json

# Text as JSON can carry it: any code point, lone surrogates included ("\\ud800").
surrogates = st.integers(0xD800, 0xDFFF).map(chr)
texts = st.text(st.characters(codec=None) | surrogates, max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
FIELDS = [
    "username",
    "email",
    "password",
    "token",
    "current_password",
    "new_password",
    "device_token",
]
field_values = (
    json_values
    | st.sampled_from(["susan", "susan@example.com", PASSWORD, "", "a" * 300, "x@y\r\nBcc: z"])
    | st.emails()
)
deep_nesting = st.tuples(st.integers(50, 6000), st.sampled_from(["[", '{"username": ['])).map(
    lambda depth_open: (
        depth_open[1]
        + "[" * depth_open[0]
        + "]" * depth_open[0]
        + ("]}" if depth_open[1] != "[" else "")
    )
)
bodies = (
    json_values.map(json.dumps)
    | st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, field_values)).map(json.dumps)
    | deep_nesting
    | st.binary(max_size=64)
)
# Invalid UTF-8 after decoding, stray or half escapes, and plain text.
escapes = st.sampled_from(["%ff", "%ed%a0%80", "%c3", "%80", "%", "%zz", "%00", "+", "&", "="])
form_values = st.lists(escapes | st.text(max_size=8), max_size=4).map("".join)
CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "text/plain;application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "*/*",
    "",
]
content_types = st.sampled_from(CONTENT_TYPES) | st.text(
    st.characters(min_codepoint=32, max_codepoint=126), max_size=30
)
ROUTES = [
    "/api/users",
    "/api/tokens",
    "/api/password-reset",
    "/api/password-reset/confirm",
    "/api/users/me/password",
]
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _snapshot() -> dict[str, Any]:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    settings_ = get_settings()
    tables = {
        name: sorted(json.dumps(item, sort_keys=True) for item in ddb.scan(TableName=name)["Items"])
        for name in (settings_.users_table, settings_.state_table)
    }
    attributes = aws.sqs().get_queue_attributes(
        QueueUrl=aws.queue_url(), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return {"tables": tables, "queued": attributes["Attributes"]["ApproximateNumberOfMessages"]}


def susan_token(susan: dict[str, Any]) -> str:
    """An access token for the fixture user (made directly: fuzzed logins may lock her out)."""
    record = users.load_record(susan["id"])
    assert record is not None
    user = users.User.from_record(record)
    return signed_in_token(user, tokens.Purpose.ACCESS, 600)


# What a refused password counts: failed logins, and a signed-in session's wrong passwords.
PASSWORD_COUNTERS = ('"throttle#login', '"throttle#password-proof#')


def _without_password_counters(snapshot: dict[str, Any]) -> dict[str, Any]:
    state = get_settings().state_table
    kept = [i for i in snapshot["tables"][state] if not any(c in i for c in PASSWORD_COUNTERS)]
    return {**snapshot, "tables": {**snapshot["tables"], state: kept}}


@FUZZ
@given(route=st.sampled_from(ROUTES), body=bodies, bearer=st.booleans())
def test_arbitrary_json_never_breaks_the_api(
    client: Client, susan: dict[str, Any], route: str, body: str | bytes, bearer: bool
) -> None:
    headers = {"Authorization": f"Bearer {susan_token(susan)}"} if bearer else {}
    before = _snapshot()
    response = post_json(client, route, body, **headers)
    assert response.status_code < 500, response.body
    assert response.json_body is not None
    if response.status_code >= 400:
        assert response.json_body["detail"]
    if response.status_code in (400, 413, 415):
        assert _snapshot() == before
    elif response.status_code == 401:
        assert _without_password_counters(_snapshot()) == _without_password_counters(before)


def _routes() -> list[tuple[str, str]]:
    """Every (method, path) the app serves, a path parameter filled in by the fuzz."""
    import app as app_module

    return sorted(
        (method, path) for path, methods in app_module.app.routes.items() for method in methods
    )


def _form_body(fields: dict[str, str], csrf: str) -> str:
    pairs = [f"{name}={value}" for name, value in fields.items()]
    return "&".join([*pairs, f"csrf_token={csrf}"])


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    content_type=content_types,
    form=st.dictionaries(st.sampled_from([*FIELDS, "password2", "remember_me"]), form_values),
    raw=bodies,
    as_form=st.booleans(),
    path_value=texts.map(lambda t: t.encode("utf-8", "surrogatepass").hex()) | escapes,
)
def test_no_route_answers_5xx_to_any_body_or_content_type(
    client: Client,
    susan: dict[str, Any],
    data: st.DataObject,
    content_type: str | None,
    form: dict[str, str],
    raw: str | bytes,
    as_form: bool,
    path_value: str,
) -> None:
    method, path = data.draw(st.sampled_from(_routes()))
    path = path.replace("{token}", path_value)
    page = client.http.get("/login")
    cookie = "; ".join(c.split(";", 1)[0] for c in page.headers.get("Set-Cookie", []))
    body: str | bytes = _form_body(form, csrf_from(page.body.decode())) if as_form else raw
    headers = {"Cookie": cookie}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.http.request(method, path, headers=headers, body=body)
    assert response.status_code < 500, (method, path, response.body)
    if path.startswith("/api/") and response.status_code >= 400:
        assert response.json_body["detail"]


@FUZZ
@given(authorization=st.text(max_size=200))
def test_arbitrary_authorization_headers_are_401(client: Client, authorization: str) -> None:
    try:
        authorization.encode("latin-1")
    except UnicodeEncodeError:
        authorization = authorization.encode("utf-8").decode("latin-1")
    response = client.http.get("/api/users/me", headers={"Authorization": authorization})
    assert response.status_code == 401
