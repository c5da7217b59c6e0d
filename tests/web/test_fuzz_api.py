"""Property: arbitrary JSON at every /api route never yields a 5xx, and rejected input
changes nothing (login attempts may only move the login throttle)."""

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
from tests.helpers.environment import PASSWORD
from tests.helpers.web import post_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
FIELDS = ["username", "email", "password", "token", "current_password", "new_password"]
field_values = (
    json_values
    | st.sampled_from(["susan", "susan@example.com", PASSWORD, "", "a" * 300, "x@y\r\nBcc: z"])
    | st.emails()
)
bodies = (
    json_values.map(json.dumps)
    | st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, field_values)).map(json.dumps)
    | st.binary(max_size=64)
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
    return users.issue_token(user, tokens.Purpose.ACCESS, 600)


def _without_login_counters(snapshot: dict[str, Any]) -> dict[str, Any]:
    state = get_settings().state_table
    kept = [i for i in snapshot["tables"][state] if '"throttle#login#' not in i]
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
        assert _without_login_counters(_snapshot()) == _without_login_counters(before)


@FUZZ
@given(authorization=st.text(max_size=200))
def test_arbitrary_authorization_headers_are_401(client: Client, authorization: str) -> None:
    try:
        authorization.encode("latin-1")
    except UnicodeEncodeError:
        authorization = authorization.encode("utf-8").decode("latin-1")
    response = client.http.get("/api/users/me", headers={"Authorization": authorization})
    assert response.status_code == 401
