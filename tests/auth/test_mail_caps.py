"""Who gets mail and how much: a cap per kind per address, none for unverified notices."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalice.test import Client

from chalicelib.auth import accounts, users
from chalicelib.auth.mail_caps import allow_notice
from tests.helpers.accounts import verify_address
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import drain_queue, sent_mail, settle_mail, with_subject
from tests.helpers.web import api_gateway_post, post_json

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def _bearer(client: Client) -> dict[str, str]:
    token = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json_body['access_token']}"}


def test_ten_verification_requests_send_at_most_three_links(client: Client) -> None:
    post_json(
        client,
        "/api/users",
        {"username": "susan", "email": "susan@example.com", "password": PASSWORD},
    )
    bearer = _bearer(client)
    answers = [post_json(client, "/api/email-verification", {}, **bearer) for _ in range(10)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.body for a in answers}) == 1
    drain_queue()
    assert len(with_subject("Confirm")) == 3  # registration's link and two more


def test_ten_password_changes_send_no_notice_while_unverified(
    client: Client, susan: dict[str, Any]
) -> None:
    bearer = _bearer(client)
    passwords = [PASSWORD, NEW_PASSWORD]
    for i in range(10):
        changed = post_json(
            client,
            "/api/users/me/password",
            {"current_password": passwords[i % 2], "new_password": passwords[(i + 1) % 2]},
            **bearer,
        )
        assert changed.status_code == 200
        bearer = {"Authorization": f"Bearer {changed.json_body['access_token']}"}
    drain_queue()
    assert sent_mail() == []


def test_ten_password_changes_send_at_most_three_notices_once_verified(
    client: Client, susan: dict[str, Any]
) -> None:
    user = users.load_record(susan["id"])
    assert user is not None
    verify_address(users.User.from_record(user))
    bearer = _bearer(client)
    passwords = [PASSWORD, NEW_PASSWORD]
    for i in range(10):
        changed = post_json(
            client,
            "/api/users/me/password",
            {"current_password": passwords[i % 2], "new_password": passwords[(i + 1) % 2]},
            **bearer,
        )
        assert changed.status_code == 200
        bearer = {"Authorization": f"Bearer {changed.json_body['access_token']}"}
    drain_queue()
    assert len(with_subject("was changed")) == 3


def test_withheld_notices_do_not_spend_the_quota() -> None:
    user = users.User("u-1", "ann", "a@example.com", "stamp", email_verified=False)
    assert [allow_notice(user) for _ in range(5)] == [False] * 5
    verified = replace(user, email_verified=True)
    assert [allow_notice(verified) for _ in range(4)] == [True, True, True, False]


def test_a_stranger_over_the_client_cap_cannot_switch_off_the_owners_reset(
    client: Client, susan: dict[str, Any]
) -> None:
    """20 junk requests, then 4 for the victim, from one client; then the owner elsewhere."""
    answers = [
        api_gateway_post("/api/password-reset", {"email": f"junk{i}@example.com"}, ATTACKER)
        for i in range(20)
    ]
    answers += [
        api_gateway_post("/api/password-reset", {"email": "susan@example.com"}, ATTACKER)
        for _ in range(4)
    ]
    assert {(a["statusCode"], a["body"]) for a in answers} == {
        (answers[0]["statusCode"], answers[0]["body"])
    }
    drain_queue()
    assert sent_mail() == []  # the junk addresses are unknown; the victim's four were dropped
    owner = api_gateway_post("/api/password-reset", {"email": "susan@example.com"}, OWNER)
    assert owner["statusCode"] == 202
    assert owner["body"] == answers[0]["body"]
    drain_queue()
    [link] = with_subject("Reset")
    assert link.destinations[0] == "Susan@example.com"


def test_change_of_address_requests_are_capped_per_new_address(
    client: Client, susan: dict[str, Any]
) -> None:
    bearer = _bearer(client)
    for _ in range(6):
        answer = post_json(
            client,
            "/api/users/me/email",
            {"email": "new@example.com", "password": PASSWORD},
            **bearer,
        )
        assert answer.status_code == 202
    drain_queue()
    assert len([m for m in with_subject("Confirm") if m.destinations[0] == "new@example.com"]) == 3


def test_registration_then_settled_mail_leaves_an_empty_inbox() -> None:
    """The helper the other tests lean on really empties the inbox."""
    accounts.register("bob", "bob@example.com", PASSWORD)
    drain_queue()
    assert len(sent_mail()) == 1
    settle_mail()
    assert sent_mail() == []


def test_one_account_cannot_spray_change_links_at_many_addresses(
    client: Client, susan: dict[str, Any]
) -> None:
    bearer = _bearer(client)
    answers = [
        post_json(
            client,
            "/api/users/me/email",
            {"email": f"target{i}@example.com", "password": PASSWORD},
            **bearer,
        )
        for i in range(6)
    ]
    assert {(a.status_code, a.body) for a in answers} == {(202, answers[0].body)}
    drain_queue()
    assert len(with_subject("Confirm")) == 3
