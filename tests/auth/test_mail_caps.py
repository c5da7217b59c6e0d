"""Who gets mail and how much: a cap per kind per address, none for unverified notices."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, users
from chalicelib.auth.mail_caps import allow_notice
from chalicelib.models import UserRecord
from tests.helpers.accounts import verify_address
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import (
    RESET,
    VERIFY,
    drain_queue,
    sent_mail,
    settle_mail,
    subject_of,
    token_from,
    with_subject,
)
from tests.helpers.web import api_gateway_post, api_gateway_request, post_json

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def _record(susan: dict[str, Any]) -> UserRecord:
    record = users.load_record(susan["id"])
    assert record is not None
    return record


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
    said = [a.json_body["message"] for a in answers]  # to the owner: plainly what was done
    assert said[:2] == ["We sent a new link to your email address."] * 2
    assert all(words.startswith("We have sent several links") for words in said[2:])
    drain_queue()
    assert len(with_subject("Confirm")) == 3  # registration's link and two more


def _change_password(bearer: dict[str, str], current: str, new: str) -> Any:
    body = {"current_password": current, "new_password": new}
    return api_gateway_post("/api/users/me/password", body, OWNER, **bearer)


def _alternate(bearer: dict[str, str], times: int) -> dict[str, str]:
    """Change the password `times` times, back and forth; the bearer header that is current."""
    passwords = [PASSWORD, NEW_PASSWORD]
    for i in range(times):
        changed = _change_password(bearer, passwords[i % 2], passwords[(i + 1) % 2])
        assert changed["statusCode"] == 200, changed["body"]
        token = json.loads(changed["body"])["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
    return bearer


def test_password_changes_send_no_notice_while_unverified(
    client: Client, susan: dict[str, Any]
) -> None:
    _alternate(_bearer(client), 5)
    drain_queue()
    assert sent_mail() == []


def test_every_completed_change_is_told_to_a_verified_address(
    client: Client, susan: dict[str, Any]
) -> None:
    """A reset, four password changes and a change of address in one hour: the old address
    hears of every one, though that is more than NOTICE_EMAILS_PER_HOUR notices."""
    verify_address(users.User.from_record(_record(susan)))
    assert (
        api_gateway_post("/api/password-reset", {"email": "susan@example.com"}, OWNER)["statusCode"]
        == 202
    )
    drain_queue()
    token = token_from(with_subject("Reset")[-1], RESET)
    reset = api_gateway_post(
        "/api/password-reset/confirm", {"token": token, "password": PASSWORD}, OWNER
    )
    assert reset["statusCode"] == 200
    bearer = _alternate(_bearer(client), 4)
    change = {"email": "susan@new.example", "password": PASSWORD}
    assert api_gateway_post("/api/users/me/email", change, OWNER, **bearer)["statusCode"] == 202
    drain_queue()
    [link] = [m for m in with_subject("Confirm") if m.destinations[0] == "susan@new.example"]
    confirm = {"token": token_from(link, VERIFY)}
    assert api_gateway_post("/api/email-verification/confirm", confirm, OWNER)["statusCode"] == 200
    drain_queue()
    to_old = [subject_of(m) for m in sent_mail() if m.destinations[0] == "susan@example.com"]
    assert to_old.count("[Microblog] Your password was changed") == 5
    assert to_old.count("[Microblog] Your email address was changed") == 1


def test_the_sixth_password_change_in_an_hour_is_refused_with_retry_after(
    client: Client, susan: dict[str, Any]
) -> None:
    # Halfway through an hour, on a stopped clock: the wait is half an hour, well within the
    # access token's hour (at an hour's start it would outlast the token).
    now = time.time()
    with time_machine.travel(now - now % 3600 + 3600 + 1800, tick=False) as clock:
        bearer = _alternate(_bearer(client), 5)  # the password is NEW_PASSWORD now
        refused = _change_password(bearer, NEW_PASSWORD, PASSWORD)
        assert refused["statusCode"] == 429
        assert json.loads(refused["body"])["error"] == "too_many_requests"
        assert int(refused["headers"]["Retry-After"]) == 1800  # until the hour is over
        assert accounts.authenticate("susan", NEW_PASSWORD).id == susan["id"]  # nothing changed
        clock.shift(1800 + 1)
        assert _change_password(bearer, NEW_PASSWORD, PASSWORD)["statusCode"] == 200


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
    assert link.destinations[0] == "susan@example.com"


def _stranger(name: str, ip: str) -> dict[str, str]:
    """Another account, signed in from its own client: its bearer header."""
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    assert api_gateway_post("/api/users", body, ip)["statusCode"] == 201
    login = api_gateway_post("/api/tokens", {"username": name, "password": PASSWORD}, ip)
    return {"Authorization": f"Bearer {json.loads(login['body'])['access_token']}"}


def test_change_links_to_one_address_are_capped_across_accounts(client: Client) -> None:
    strangers = [_stranger(f"mallory{i}", f"203.0.113.{i}") for i in range(3)]
    settle_mail()
    for i, bearer in enumerate(strangers):
        for _ in range(2):
            body = {"email": "new@example.com", "password": PASSWORD}
            answer = api_gateway_post("/api/users/me/email", body, f"203.0.113.{i}", **bearer)
            assert answer["statusCode"] == 202
    drain_queue()
    assert len([m for m in with_subject("Confirm") if m.destinations[0] == "new@example.com"]) == 3


def test_strangers_naming_an_address_cannot_withhold_its_owners_own_links(
    client: Client,
) -> None:
    """Change requests aimed at someone's address spend that address's cap for change links,
    never its owner's registration link or "send again"; and they name nobody."""
    strangers = [_stranger(f"mallory{i}", f"203.0.113.{i}") for i in range(3)]
    body = {"username": "victim", "email": "Victim@example.com", "password": PASSWORD}
    assert api_gateway_post("/api/users", body, OWNER)["statusCode"] == 201
    for i, bearer in enumerate(strangers):
        for _ in range(3):
            aim = {"email": "victim@example.com", "password": PASSWORD}
            answer = api_gateway_post("/api/users/me/email", aim, f"203.0.113.{i}", **bearer)
            assert answer["statusCode"] == 202
    login = api_gateway_post("/api/tokens", {"username": "victim", "password": PASSWORD}, OWNER)
    own = {"Authorization": f"Bearer {json.loads(login['body'])['access_token']}"}
    for _ in range(2):
        again = api_gateway_request("POST", "/api/email-verification", OWNER, body={}, **own)
        assert again["statusCode"] == 202
    drain_queue()
    to_victim = [m for m in with_subject("Confirm") if m.destinations[0] == "victim@example.com"]
    greeted = [m for m in to_victim if "Dear victim," in m.part("plain")]
    asked = [m for m in to_victim if "Someone asked to use this address" in m.part("plain")]
    assert len(greeted) == 3  # registration's link and both "send again"
    assert len(asked) == 3  # the strangers' nine requests, capped for this address
    for mail in asked:
        text = mail.part("plain") + mail.part("html")
        assert "mallory" not in text
        assert "Dear" not in text


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
        api_gateway_post(
            "/api/users/me/email",
            {"email": f"target{i}@example.com", "password": PASSWORD},
            OWNER,
            **bearer,
        )
        for i in range(5)
    ]
    assert [a["statusCode"] for a in answers] == [202, 202, 202, 429, 429]
    assert len({a["body"] for a in answers[:3]}) == 1
    assert 0 < int(answers[3]["headers"]["Retry-After"]) <= 3600
    drain_queue()
    assert len(with_subject("Confirm")) == 3
