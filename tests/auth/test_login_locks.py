"""The login lock locks only strangers: a trusted device of the account signs in with the right
password while strangers are locked out, and its own failures count on its own counter.
Through the Lambda handler, each client from its own address."""

from __future__ import annotations

import time
from typing import Any

import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, devices
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, token_from, with_subject
from tests.helpers.web import api_gateway_post, json_of, post_json

OWNER_HOME, OWNER_CAFE = "198.51.100.7", "198.51.100.8"
STRANGER, OTHER_STRANGER = "203.0.113.66", "203.0.113.67"
WRONG = "wrong pw!"


def _login(source_ip: str, password: str, device: str | None = None, name: str = "susan") -> Any:
    body = {"username": name, "password": password}
    if device is not None:
        body["device_token"] = device
    return api_gateway_post("/api/tokens", body, source_ip)


def _device(source_ip: str = OWNER_HOME) -> str:
    answer = _login(source_ip, PASSWORD)
    assert answer["statusCode"] == 200
    return str(json_of(answer)["device_token"])


def _lock_out_strangers(password: str = PASSWORD) -> Any:
    """Six wrong passwords from a stranger: the account is locked for strangers, who are
    refused the right `password` as they are a wrong one."""
    failures = [_login(STRANGER, WRONG) for _ in range(6)]
    assert {f["statusCode"] for f in failures} == {401}
    locked = _login(OTHER_STRANGER, password)
    assert locked["statusCode"] == 401
    assert locked["body"] == failures[0]["body"]
    return failures[0]


def test_a_trusted_device_signs_in_while_strangers_are_locked_out(
    client: Client, susan: dict[str, Any]
) -> None:
    device = _device()
    _lock_out_strangers()
    signed_in = _login(OWNER_CAFE, PASSWORD, device)  # the device, wherever it is
    assert signed_in["statusCode"] == 200
    assert json_of(signed_in)["access_token"]
    # Its success did not lift the strangers' lock.
    assert _login(OTHER_STRANGER, PASSWORD)["statusCode"] == 401
    assert _login(OWNER_CAFE, PASSWORD)["statusCode"] == 401  # the owner without the device


def test_the_device_keeps_its_id_and_gets_a_fresh_token(
    client: Client, susan: dict[str, Any]
) -> None:
    first = _device()
    again = json_of(_login(OWNER_HOME, PASSWORD, first))["device_token"]
    before, after = devices.read(first), devices.read(again)
    assert before is not None
    assert after is not None
    assert after.device_id == before.device_id


def test_a_trusted_devices_failures_count_on_its_own_counter(
    client: Client, susan: dict[str, Any]
) -> None:
    device = _device()
    assert [_login(OWNER_HOME, WRONG, device)["statusCode"] for _ in range(5)] == [401] * 5
    # None of them counted against the account's lock: a stranger may still try.
    assert _login(STRANGER, PASSWORD)["statusCode"] == 200


def test_a_device_over_its_count_is_a_stranger_until_its_next_successful_login(
    client: Client, susan: dict[str, Any]
) -> None:
    device = _device()
    for _ in range(5):
        _login(OWNER_HOME, WRONG, device)
    with time_machine.travel(time.time() + 24 * 3600):  # long after any lock window
        wrong_answer = _lock_out_strangers()
        refused = _login(OWNER_HOME, PASSWORD, device)
        assert refused["statusCode"] == 401
        assert refused["body"] == wrong_answer["body"]
        # A completed reset lifts the strangers' lock; the device signs in as anyone would,
        # which makes it trusted again.
        post_json(client, "/api/password-reset", {"email": "susan@example.com"})
        drain_queue()
        token = token_from(with_subject("Reset")[-1], RESET)
        body = {"token": token, "password": NEW_PASSWORD}
        assert post_json(client, "/api/password-reset/confirm", body).status_code == 200
        renewed = _login(OWNER_HOME, NEW_PASSWORD, device)
        assert renewed["statusCode"] == 200
        trusted = json_of(renewed)["device_token"]
        for _ in range(6):
            _login(STRANGER, WRONG)
        assert _login(OWNER_CAFE, NEW_PASSWORD, trusted)["statusCode"] == 200


def test_a_device_token_of_another_account_forged_or_stale_is_ignored(
    client: Client, susan: dict[str, Any]
) -> None:
    accounts.register("mallory", "mallory@example.com", PASSWORD)
    theirs = json_of(_login(STRANGER, PASSWORD, name="mallory"))["device_token"]
    stale = _device()
    with_stamp = accounts.authenticate("susan", PASSWORD)
    accounts.change_password(with_stamp, PASSWORD, NEW_PASSWORD, "a session")  # a new stamp
    forged = stale[:-4] + ("AAAA" if not stale.endswith("AAAA") else "BBBB")
    wrong_answer = _lock_out_strangers(NEW_PASSWORD)
    for token in (theirs, forged, stale, "", "x" * 3000):
        refused = _login(OWNER_HOME, NEW_PASSWORD, token)
        assert (refused["statusCode"], refused["body"]) == (401, wrong_answer["body"])


def test_a_completed_reset_still_lifts_the_lock_for_everyone(
    client: Client, susan: dict[str, Any]
) -> None:
    _lock_out_strangers()
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    body = {"token": token_from(with_subject("Reset")[0], RESET), "password": NEW_PASSWORD}
    assert post_json(client, "/api/password-reset/confirm", body).status_code == 200
    assert _login(OTHER_STRANGER, NEW_PASSWORD)["statusCode"] == 200
