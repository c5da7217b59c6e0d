"""A signed-in session proving its current password (change of password or address) is never
blocked by a lock strangers caused; its own wrong passwords count per session, and the fifth
within an hour ends it. Through the Lambda handler, each client from its own address."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth import activity
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.hashing import Work
from tests.helpers.web import Browser, api_gateway_post, json_of

OWNER, STRANGER = "198.51.100.7", "203.0.113.66"
WRONG = "wrong pw!"


def _access_token(source_ip: str = OWNER, password: str = PASSWORD) -> str:
    answer = api_gateway_post("/api/tokens", {"username": "susan", "password": password}, source_ip)
    assert answer["statusCode"] == 200
    return str(json_of(answer)["access_token"])


def _lock_out_strangers() -> None:
    for _ in range(6):
        api_gateway_post("/api/tokens", {"username": "susan", "password": WRONG}, STRANGER)
    refused = api_gateway_post("/api/tokens", {"username": "susan", "password": PASSWORD}, STRANGER)
    assert refused["statusCode"] == 401


def _change_password(token: str, current: str, new: str = NEW_PASSWORD) -> Any:
    body = {"current_password": current, "new_password": new}
    return api_gateway_post("/api/users/me/password", body, OWNER, Authorization=f"Bearer {token}")


def _change_email(token: str, password: str) -> Any:
    body = {"email": "susan@new.example", "password": password}
    return api_gateway_post("/api/users/me/email", body, OWNER, Authorization=f"Bearer {token}")


def test_a_signed_in_owner_changes_password_and_address_while_strangers_hold_the_lock(
    client: Client, susan: dict[str, Any]
) -> None:
    token = _access_token()
    _lock_out_strangers()
    assert _change_email(token, PASSWORD)["statusCode"] == 202
    changed = _change_password(token, PASSWORD)
    assert changed["statusCode"] == 200
    assert json_of(changed)["device_token"]  # the session proved the password: trusted


def test_the_fifth_wrong_password_ends_the_session(
    client: Client, susan: dict[str, Any], argon2_verifications: Work
) -> None:
    token = _access_token()
    wrong = [_change_password(token, WRONG) for _ in range(4)]
    assert {(w["statusCode"], json_of(w)["error"]) for w in wrong} == {(401, "unauthorized")}
    ended = _change_email(token, WRONG)
    assert (ended["statusCode"], json_of(ended)["error"]) == (401, "session_ended")
    before = len(argon2_verifications)
    again = _change_password(token, PASSWORD)  # the right password, too late
    # The session is gone, so its token is: refused before any password is looked at.
    assert (again["statusCode"], json_of(again)["error"]) == (401, "unauthorized")
    assert len(argon2_verifications) == before
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    kinds = [event.kind for event in activity.recent(susan["id"]).items]
    assert kinds.count("session_ended") == 1
    # Signing in again starts a new session with a count of its own.
    assert _change_password(_access_token(), PASSWORD)["statusCode"] == 200


def test_right_passwords_do_not_count_against_the_session(
    client: Client, susan: dict[str, Any]
) -> None:
    token = _access_token()
    for _ in range(4):
        assert _change_password(token, WRONG)["statusCode"] == 401
    for _ in range(3):  # EMAIL_CHANGES_PER_HOUR: each a right password, none counted
        assert _change_email(token, PASSWORD)["statusCode"] == 202
    assert _change_password(token, PASSWORD)["statusCode"] == 200


def test_a_sessions_wrong_passwords_leave_the_login_lock_alone(
    client: Client, susan: dict[str, Any]
) -> None:
    token = _access_token()
    for _ in range(5):
        _change_password(token, WRONG)
    assert _access_token(STRANGER)  # five failures, yet no lock for anyone


@pytest.mark.parametrize("path", ["/change_password", "/change_email"])
def test_a_page_session_ends_at_its_fifth_wrong_password(
    client: Client, susan: dict[str, Any], path: str
) -> None:
    browser = Browser(client)
    browser.submit("/login", {"username": "susan", "password": PASSWORD})
    fields = {
        "/change_password": {"password": NEW_PASSWORD, "password2": NEW_PASSWORD},
        "/change_email": {"email": "susan@new.example"},
    }[path]
    proof = "current_password" if path == "/change_password" else "password"
    for _ in range(4):
        assert browser.submit(path, {**fields, proof: WRONG}).status_code == 400
    ended = browser.submit(path, {**fields, proof: WRONG})
    assert ended.status_code == 303
    login_page = browser.follow(ended)
    assert "Too many wrong passwords. Please log in again." in login_page.body.decode()
    assert browser.get("/").status_code == 303  # signed out
