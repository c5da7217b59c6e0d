"""accounts' login lockout and per-client caps: one counter per account, lifted by a reset,
lasting LOGIN_LOCK_SECONDS after the last failure; clients counted per IPv4 address or IPv6 /64
(the keys themselves: test_throttle.py)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, throttle
from chalicelib.errors import RateLimitedError
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.hashing import Work
from tests.helpers.inbox import RESET, drain_queue, sent_mail, token_from
from tests.helpers.web import api_gateway_post, post_json

LOCK = 15 * 60  # LOGIN_LOCK_SECONDS' default


def _login(client: Client, name: str, password: str) -> int:
    body = {"username": name, "password": password}
    return int(post_json(client, "/api/tokens", body).status_code)


def test_a_completed_reset_lifts_the_login_lock(client: Client, susan: dict[str, Any]) -> None:
    assert [_login(client, "susan", "wrong pw!") for _ in range(6)] == [401] * 6
    assert _login(client, "susan", PASSWORD) == 401  # locked
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    token = token_from(sent_mail()[0], RESET)
    confirm = {"token": token, "password": NEW_PASSWORD}
    assert post_json(client, "/api/password-reset/confirm", confirm).status_code == 200
    assert _login(client, "susan", NEW_PASSWORD) == 200
    assert _login(client, "susan@example.com", NEW_PASSWORD) == 200


def test_username_and_email_share_one_failure_counter(
    client: Client, susan: dict[str, Any]
) -> None:
    for _ in range(3):
        assert _login(client, "susan", "wrong pw!") == 401
        assert _login(client, "Susan@Example.com", "wrong pw!") == 401
    # Six failures in all, three per spelling: the account is locked for both.
    assert _login(client, "susan", PASSWORD) == 401
    assert _login(client, "susan@example.com", PASSWORD) == 401


def test_the_lock_lasts_lock_seconds_after_the_last_failure(
    client: Client, susan: dict[str, Any]
) -> None:
    boundary = 2_111_111 * LOCK  # where a fixed window of LOCK seconds would start afresh
    with time_machine.travel(boundary - 10, tick=False) as clock:
        # Six failures straddle the boundary: a fixed window would see three on each side.
        for _ in range(6):
            assert _login(client, "susan", "wrong pw!") == 401
            clock.shift(4)
        clock.shift(LOCK - 60)  # still within LOCK seconds of the last failure
        assert _login(client, "susan", PASSWORD) == 401
        clock.shift(LOCK + 1)  # LOCK seconds after that last (refused) attempt
        assert _login(client, "susan", PASSWORD) == 200


def test_failed_logins_per_client_are_capped_like_a_wrong_password(
    client: Client, susan: dict[str, Any]
) -> None:
    sprayed = [_login(client, f"user{n}", "Summer2024!") for n in range(100)]
    assert sprayed == [401] * 100
    wrong = post_json(client, "/api/tokens", {"username": "susan", "password": "wrong pw!"})
    capped = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    assert capped.status_code == 401
    assert capped.body == wrong.body
    # Another client is not affected.
    assert accounts.authenticate("susan", PASSWORD, throttle.client_key("198.51.100.7"))


def test_a_login_from_a_client_over_its_cap_is_refused_before_argon2_runs(
    client: Client, susan: dict[str, Any], argon2_verifications: Work
) -> None:
    def login(name: str, password: str, source_ip: str = "203.0.113.66") -> Any:
        body = {"username": name, "password": password}
        return api_gateway_post("/api/tokens", body, source_ip)

    sprayed = [login(f"user{n}", "Summer2024!") for n in range(100)]
    assert len(argon2_verifications) == 100  # LOGINS_PER_IP_PER_HOUR, each one verified
    capped = [login("susan", PASSWORD) for _ in range(20)]
    assert len(argon2_verifications) == 100  # a million more would cost no hashing either
    assert {(c["statusCode"], c["body"]) for c in capped} == {(401, sprayed[0]["body"])}
    assert login("susan", PASSWORD, "198.51.100.7")["statusCode"] == 200  # another client
    assert len(argon2_verifications) == 101


def test_successful_logins_do_not_count_toward_the_client_cap(susan: dict[str, Any]) -> None:
    client_key = throttle.client_key("198.51.100.8")
    for _ in range(105):
        accounts.authenticate("susan", PASSWORD, client_key)


def test_ipv6_clients_are_counted_per_slash_64(susan: dict[str, Any]) -> None:
    for n in range(20):
        accounts.register(
            f"six{n}", f"six{n}@example.com", PASSWORD, throttle.client_key(f"2001:db8:1:2::{n:x}")
        )
    with pytest.raises(RateLimitedError):
        accounts.register(
            "six99", "six99@example.com", PASSWORD, throttle.client_key("2001:db8:1:2:ffff::1")
        )
    accounts.register(
        "other", "other@example.com", PASSWORD, throttle.client_key("2001:db8:1:3::1")
    )


def test_locked_known_and_unknown_logins_make_the_same_aws_calls(
    client: Client, susan: dict[str, Any]
) -> None:
    """Each failed login: two reads (guard, user), the account's (or name's) sliding counter,
    the client's hourly counter; one update more than before the per-client cap existed,
    for every kind of login alike."""
    for _ in range(6):
        _login(client, "susan", "wrong pw!")
    calls = {}
    for name, password in (("susan", PASSWORD), ("nobody", PASSWORD), ("susan", "wrong pw!")):
        recorded = AWS_CALLS.record()
        assert _login(client, name, password) == 401
        AWS_CALLS.recording = False
        calls[(name, password)] = list(recorded)
    # The same calls, but an existing account's refused login is recorded (one PutItem).
    assert calls[("susan", PASSWORD)] == [*calls[("nobody", PASSWORD)], "dynamodb.PutItem"]
    assert calls[("susan", "wrong pw!")] == calls[("susan", PASSWORD)]
    assert calls[("nobody", PASSWORD)] == [
        "dynamodb.GetItem",
        "dynamodb.GetItem",
        "dynamodb.UpdateItem",
        "dynamodb.UpdateItem",
    ]
