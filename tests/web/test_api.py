"""The JSON API contract."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.version import VERSION
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, token_from
from tests.helpers.web import post_json


def _login(client: Client, **credentials: str) -> Any:
    return post_json(client, "/api/tokens", credentials)


def test_health(client: Client) -> None:
    response = client.http.get("/api/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok", "version": VERSION}


def test_register_returns_the_public_user(client: Client, susan: dict[str, Any]) -> None:
    assert set(susan) == {"id", "username", "email", "email_verified", "locale", "pending_email"}
    assert susan["email_verified"] is False
    assert susan["pending_email"] is None
    assert susan["username"] == "susan"
    assert susan["email"] == "Susan@example.com"  # domain normalised, local part kept


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "susan", "email": "other@example.com", "password": PASSWORD}, "username"),
        ({"username": "SUSAN", "email": "other@example.com", "password": PASSWORD}, "username"),
        ({"username": "bob", "email": "susan@EXAMPLE.com", "password": PASSWORD}, "email"),
    ],
)
def test_taken_username_or_email_is_409(
    client: Client, susan: dict[str, Any], body: dict[str, str], field: str
) -> None:
    response = post_json(client, "/api/users", body)
    assert response.status_code == 409
    assert response.json_body["field"] == field
    assert response.json_body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "bob", "email": "bob@example.com"},
        {"username": "bob", "email": "bob@example.com", "password": 12345678},
        {"username": "bo", "email": "bob@example.com", "password": PASSWORD},
        {"username": "bob smith", "email": "bob@example.com", "password": PASSWORD},
        {"username": "bob", "email": "not-an-email", "password": PASSWORD},
        {"username": "bob", "email": "bob@example.com\r\nBcc: x@example.com", "password": PASSWORD},
        {"username": "bob", "email": "Bob <bob@example.com>", "password": PASSWORD},
        {"username": "bob", "email": "bob@example.com", "password": "short"},
        {"username": "bob", "email": "bob@example.com", "password": "password123"},
    ],
)
def test_invalid_registration_is_400_and_creates_nothing(
    client: Client, body: dict[str, Any]
) -> None:
    response = post_json(client, "/api/users", body)
    assert response.status_code == 400
    assert response.json_body["detail"]
    retry = post_json(
        client, "/api/users", {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    )
    assert retry.status_code == 201  # neither name nor address was claimed


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', b"\xff\xfe", "null"])
def test_broken_json_is_400(client: Client, body: str | bytes) -> None:
    for path in ("/api/users", "/api/tokens", "/api/password-reset", "/api/password-reset/confirm"):
        response = post_json(client, path, body)
        assert response.status_code == 400, path
        assert response.json_body["error"] == "invalid_json"


def test_huge_body_is_413(client: Client) -> None:
    body = {"username": "bob", "email": "bob@example.com", "password": "x" * 100_000}
    response = post_json(client, "/api/users", body)
    assert response.status_code == 413
    assert response.json_body["error"] == "payload_too_large"


def test_token_for_username_or_email_then_me(client: Client, susan: dict[str, Any]) -> None:
    for credentials in ({"username": "susan"}, {"email": "SUSAN@example.com"}):
        response = _login(client, password=PASSWORD, **credentials)
        assert response.status_code == 200
        body = response.json_body
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 3600
        me = client.http.get(
            "/api/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.status_code == 200
        assert me.json_body == susan


def test_unknown_user_and_wrong_password_answer_alike(
    client: Client, susan: dict[str, Any]
) -> None:
    wrong = _login(client, username="susan", password="not the password")
    unknown = _login(client, username="nobody", password="not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.body == unknown.body
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]
)
def test_me_without_a_valid_token_is_401(client: Client, authorization: str) -> None:
    response = client.http.get("/api/users/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json_body["error"] == "unauthorized"


def test_reset_request_is_202_and_identical_for_known_and_unknown(
    client: Client, susan: dict[str, Any]
) -> None:
    known = post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    unknown = post_json(client, "/api/password-reset", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.body == unknown.body
    assert known.json_body["message"]
    drain_queue()
    assert [m.destinations[0] for m in sent_mail()] == ["susan@example.com"]


@pytest.mark.parametrize(
    "body", [{}, {"email": 5}, {"email": "nope"}, {"email": "a@example.com\nBcc: b@example.com"}]
)
def test_malformed_reset_request_is_400_and_queues_nothing(
    client: Client, body: dict[str, Any]
) -> None:
    response = post_json(client, "/api/password-reset", body)
    assert response.status_code == 400
    assert drain_queue() == 0


def test_confirm_changes_the_password_once(client: Client, susan: dict[str, Any]) -> None:
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    token = token_from(sent_mail()[0], RESET)
    ok = post_json(
        client, "/api/password-reset/confirm", {"token": token, "password": NEW_PASSWORD}
    )
    assert ok.status_code == 200
    again = post_json(
        client, "/api/password-reset/confirm", {"token": token, "password": "yet another one!"}
    )
    assert again.status_code == 400
    assert again.json_body["error"] == "invalid_token"
    assert _login(client, username="susan", password=NEW_PASSWORD).status_code == 200
    assert _login(client, username="susan", password=PASSWORD).status_code == 401


def test_reset_answers_are_the_same_english_bytes_whatever_language_is_asked(
    client: Client, susan: dict[str, Any]
) -> None:
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    asked = post_json(client, "/api/password-reset", {"email": "susan@example.com"}, **spanish)
    assert asked.body == (
        b'{"message": "Check your email for the instructions to reset your password"}'
    )
    drain_queue()
    body = {"token": token_from(sent_mail()[0], RESET), "password": NEW_PASSWORD}
    done = post_json(client, "/api/password-reset/confirm", body, **spanish)
    assert done.body == b'{"message": "Your password has been reset."}'


def test_confirm_enforces_the_password_policy(client: Client, susan: dict[str, Any]) -> None:
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    token = token_from(sent_mail()[0], RESET)
    weak = post_json(client, "/api/password-reset/confirm", {"token": token, "password": "susan"})
    assert weak.status_code == 400
    assert weak.json_body["field"] == "password"
    assert _login(client, username="susan", password=PASSWORD).status_code == 200


def test_change_password_checks_the_current_one_and_voids_old_tokens(
    client: Client, susan: dict[str, Any]
) -> None:
    old = _login(client, username="susan", password=PASSWORD).json_body["access_token"]
    bearer = {"Authorization": f"Bearer {old}"}
    path = "/api/users/me/password"
    wrong = post_json(
        client, path, {"current_password": "nope", "new_password": NEW_PASSWORD}, **bearer
    )
    assert wrong.status_code == 401
    weak = post_json(
        client, path, {"current_password": PASSWORD, "new_password": "password1"}, **bearer
    )
    assert weak.status_code == 400
    assert weak.json_body["detail"] == "This password is too common; please choose another."
    changed = post_json(
        client, path, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, **bearer
    )
    assert changed.status_code == 200
    fresh = {"Authorization": f"Bearer {changed.json_body['access_token']}"}
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    assert client.http.get("/api/users/me", headers=fresh).status_code == 200
    assert _login(client, username="susan", password=NEW_PASSWORD).status_code == 200
    drain_queue()
    assert sent_mail() == []  # her address is unverified: no notice (see test_mail_caps.py)
