"""The JSON API of email ownership: status, resend, confirm, change of address."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.auth import tokens, users
from tests.helpers.accounts import signed_in_token
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, settle_mail, token_from, with_subject
from tests.helpers.web import post_json


def _bearer(client: Client, username: str = "susan") -> dict[str, str]:
    token = post_json(client, "/api/tokens", {"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json_body['access_token']}"}


def test_me_tells_whether_the_address_is_verified(client: Client, susan: dict[str, Any]) -> None:
    bearer = _bearer(client)
    assert client.http.get("/api/users/me", headers=bearer).json_body["email_verified"] is False
    assert post_json(client, "/api/email-verification", {}, **bearer).status_code == 202
    token = token_from(_last_link(), VERIFY)
    confirmed = post_json(client, "/api/email-verification/confirm", {"token": token})
    assert confirmed.status_code == 200
    assert confirmed.json_body["user"]["email_verified"] is True
    assert client.http.get("/api/users/me", headers=bearer).json_body["email_verified"] is True
    again = post_json(client, "/api/email-verification/confirm", {"token": token})
    assert again.status_code == 400
    assert again.json_body["error"] == "invalid_token"


def test_address_answers_are_english_whatever_language_is_asked(
    client: Client, susan: dict[str, Any]
) -> None:
    spanish = {"Accept-Language": "es-ES,es;q=0.9", **_bearer(client)}
    resent = post_json(client, "/api/email-verification", {}, **spanish)
    assert resent.json_body == {"message": "We sent a new link to your email address."}
    token = token_from(_last_link(), VERIFY)
    confirmed = post_json(client, "/api/email-verification/confirm", {"token": token}, **spanish)
    assert confirmed.json_body["message"] == "Your email address is confirmed."
    body = {"email": "susan@new.example", "password": PASSWORD}
    changed = post_json(client, "/api/users/me/email", body, **spanish)
    assert changed.json_body == {
        "message": "Check the new address for a link that confirms the change."
    }


def _last_link() -> Any:
    drain_queue()
    return with_subject("Confirm")[-1]


def test_resend_needs_a_bearer_token(client: Client, susan: dict[str, Any]) -> None:
    assert post_json(client, "/api/email-verification", {}).status_code == 401
    drain_queue()
    assert with_subject("Confirm") == []


def test_a_verified_address_gets_no_more_links_and_is_told_so(
    client: Client, susan: dict[str, Any]
) -> None:
    bearer = _bearer(client)
    post_json(client, "/api/email-verification", {}, **bearer)
    post_json(
        client,
        "/api/email-verification/confirm",
        {"token": token_from(_last_link(), VERIFY)},
    )
    settle_mail()
    second = post_json(client, "/api/email-verification", {}, **bearer)
    assert second.status_code == 202
    assert second.json_body == {"message": "Your email address is already confirmed."}
    drain_queue()
    assert with_subject("Confirm") == []


def test_every_other_kind_of_token_is_refused_by_confirm(
    client: Client, susan: dict[str, Any]
) -> None:
    record = users.load_record(susan["id"])
    assert record is not None
    user = users.User.from_record(record)
    for purpose in (tokens.Purpose.ACCESS, tokens.Purpose.SESSION, tokens.Purpose.RESET_PASSWORD):
        answer = post_json(
            client,
            "/api/email-verification/confirm",
            {"token": signed_in_token(user, purpose, 600)},
        )
        assert answer.status_code == 400
        assert answer.json_body["error"] == "invalid_token"
    assert (
        client.http.get("/api/users/me", headers=_bearer(client)).json_body["email_verified"]
        is False
    )


def test_a_change_request_answers_and_works_alike_for_taken_and_free_addresses(
    client: Client, susan: dict[str, Any]
) -> None:
    post_json(
        client,
        "/api/users",
        {"username": "bob", "email": "bob@example.com", "password": PASSWORD},
    )
    bearer = _bearer(client)
    settle_mail()
    post_json(  # warm-up: the first request pays for cold lookups
        client, "/api/users/me/email", {"email": "warm@example.com", "password": PASSWORD}, **bearer
    )
    answers, calls = {}, {}
    for address in ("free@example.com", "bob@example.com"):  # the latest request's link works
        recorded = AWS_CALLS.record()
        answers[address] = post_json(
            client, "/api/users/me/email", {"email": address, "password": PASSWORD}, **bearer
        )
        AWS_CALLS.recording = False
        calls[address] = list(recorded)
    taken, free = answers["bob@example.com"], answers["free@example.com"]
    assert taken.status_code == free.status_code == 202
    assert taken.body == free.body
    assert calls["bob@example.com"] == calls["free@example.com"]
    drain_queue()
    to_bob = [m for m in with_subject("Confirm") if m.destinations[0] == "bob@example.com"]
    answer = post_json(
        client, "/api/email-verification/confirm", {"token": token_from(to_bob[0], VERIFY)}
    )
    assert answer.status_code == 409
    assert "belongs to another account" in answer.json_body["detail"]
    assert client.http.get("/api/users/me", headers=bearer).json_body["email"] == (
        "Susan@example.com"
    )


def test_a_change_needs_the_password_and_an_ascii_local_part(
    client: Client, susan: dict[str, Any]
) -> None:
    bearer = _bearer(client)
    path = "/api/users/me/email"
    wrong = post_json(client, path, {"email": "x@new.example", "password": "nope!"}, **bearer)
    assert wrong.status_code == 401
    bad = post_json(client, path, {"email": "jürgen@example.com", "password": PASSWORD}, **bearer)
    assert bad.status_code == 400
    assert "before the @" in bad.json_body["detail"]
    assert (
        post_json(client, path, {"email": "x@new.example", "password": PASSWORD}).status_code == 401
    )


def test_after_a_change_the_old_access_token_is_refused(
    client: Client, susan: dict[str, Any]
) -> None:
    bearer = _bearer(client)
    post_json(
        client,
        "/api/users/me/email",
        {"email": "susan@new.example", "password": PASSWORD},
        **bearer,
    )
    token = token_from(_last_link(), VERIFY)
    assert post_json(client, "/api/email-verification/confirm", {"token": token}).status_code == 200
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    fresh = post_json(client, "/api/tokens", {"email": "susan@new.example", "password": PASSWORD})
    me = client.http.get(
        "/api/users/me", headers={"Authorization": f"Bearer {fresh.json_body['access_token']}"}
    ).json_body
    assert (me["email"], me["email_verified"]) == ("susan@new.example", True)
