"""AWS calls of what a trusted device does (tests/test_aws_calls.py counts everyone else's):
checking a device token reads nothing, so a trusted device costs fewer calls, never more."""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalice.test import Client

from chalicelib.auth import users
from tests.helpers.accounts import verify_address
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import settle_mail
from tests.helpers.web import post_json


def _device(client: Client) -> str:
    body = {"username": "susan", "password": PASSWORD}
    answer = post_json(client, "/api/tokens", body)
    assert answer.status_code == 200
    return str(answer.json_body["device_token"])


def _calls(client: Client, path: str, body: dict[str, str]) -> tuple[Counter[str], Any]:
    calls = AWS_CALLS.record()
    try:
        answer = post_json(client, path, body)
    finally:
        AWS_CALLS.recording = False
    return Counter(calls), answer


def test_a_login_from_a_trusted_device_takes_five_calls(
    client: Client, susan: dict[str, Any]
) -> None:
    device = _device(client)
    body = {"username": "susan", "password": PASSWORD, "device_token": device}
    calls, answer = _calls(client, "/api/tokens", body)
    assert answer.status_code == 200
    # The name guard and the account (the device token is checked against the account read
    # anyway: same id, same stamp), the device's own failure counter (UpdateItem ADD, before
    # the password is checked) and its clearing on success (DeleteItem). No per-client cap and
    # no account lock: those count strangers, and a trusted device's success leaves them be.
    # The new session and its signed_in event: one transaction.
    assert calls == {
        "dynamodb.GetItem": 2,
        "dynamodb.UpdateItem": 1,
        "dynamodb.DeleteItem": 1,
        "dynamodb.TransactWriteItems": 1,
    }


def test_a_reset_request_from_a_trusted_device_takes_two_calls(
    client: Client, susan: dict[str, Any]
) -> None:
    record = users.load_record(susan["id"])
    assert record is not None
    verify_address(users.User.from_record(record))
    settle_mail()
    device = _device(client)
    body = {"email": "susan@example.com", "device_token": device}
    post_json(client, "/api/password-reset", body)  # warm
    calls, answer = _calls(client, "/api/password-reset", body)
    assert answer.status_code == 202
    # The device's own hourly cap (UpdateItem ADD) and the job's enqueue; the device token
    # vouches for the address by its keyed digest, so nothing is read.
    assert calls == {"dynamodb.UpdateItem": 1, "sqs.SendMessage": 1}
