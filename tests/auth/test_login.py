"""Logging in rehashes a password hashed with other parameters than today's, and nobody's
session or token ends for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.test import Client

from chalicelib.auth import accounts, login, passwords, users
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.web import Browser, post_json


def _parameters(password_hash: str) -> tuple[int, int, int]:
    from argon2 import extract_parameters

    found = extract_parameters(password_hash)
    return found.time_cost, found.memory_cost, found.parallelism


def _stored(user_id: str) -> Any:
    record = users.load_record(user_id)
    assert record is not None
    return record


def test_a_login_after_the_parameters_changed_rehashes_and_keeps_every_session(
    client: Client, susan: dict[str, Any], environment: Callable[..., None]
) -> None:
    before = _stored(susan["id"])
    assert _parameters(before.password_hash) == (1, 8, 1)
    login_body = {"username": "susan", "password": PASSWORD}
    access = post_json(client, "/api/tokens", login_body).json_body["access_token"]
    browser = Browser(client)
    assert browser.submit("/login", {**login_body}).status_code == 303
    assert browser.get("/").status_code == 200

    environment(ARGON2_TIME_COST="2", ARGON2_MEMORY_KIB="16")
    assert post_json(client, "/api/tokens", login_body).status_code == 200

    after = _stored(susan["id"])
    assert after.password_hash != before.password_hash
    assert _parameters(after.password_hash) == (2, 16, 1)
    assert not passwords.needs_rehash(after.password_hash)
    assert after.security_stamp == before.security_stamp
    me = client.http.get("/api/users/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200  # the access token from before the rehash still works
    assert browser.get("/").status_code == 200  # and so does the session
    assert post_json(client, "/api/tokens", login_body).status_code == 200


def test_a_login_with_todays_parameters_writes_nothing(susan: dict[str, Any]) -> None:
    before = _stored(susan["id"])
    accounts.authenticate("susan", PASSWORD)
    assert _stored(susan["id"]).password_hash == before.password_hash


def test_a_rehash_loses_to_a_password_change_that_came_meanwhile(
    susan: dict[str, Any], environment: Callable[..., None]
) -> None:
    stale = _stored(susan["id"])
    changed = accounts.replace_password(_stored(susan["id"]), NEW_PASSWORD)
    environment(ARGON2_TIME_COST="2")
    assert passwords.needs_rehash(stale.password_hash)
    login._rehash(stale, PASSWORD)  # verified just before the change landed
    stored = _stored(susan["id"])
    assert passwords.verify_password(stored.password_hash, NEW_PASSWORD)
    assert stored.security_stamp == changed.stamp
