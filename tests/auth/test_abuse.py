"""Abuse resistance: enumeration, email bombing, login guessing, races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from chalice.test import Client

from chalicelib.auth import accounts, password_reset, passwords, users
from chalicelib.errors import ConflictError, InvalidTokenError
from chalicelib.models import UserRecord
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.hashing import Work, argon2_work
from tests.helpers.inbox import RESET, drain_queue, sent_mail, settle_mail, token_from
from tests.helpers.races import together
from tests.helpers.web import Browser, post_json

KNOWN, UNKNOWN = "susan@example.com", "nobody@example.com"
WRONG = "wrong pw!"


def _calls(action: Callable[[], Any]) -> list[str]:
    calls = AWS_CALLS.record()
    action()
    AWS_CALLS.recording = False
    return list(calls)


# -- enumeration -------------------------------------------------------------


def _but_request_id(headers: dict[str, str]) -> dict[str, str]:
    """Every header but X-Request-Id, which is new on every answer and says nothing else."""
    assert headers["X-Request-Id"]
    return {name: value for name, value in headers.items() if name != "X-Request-Id"}


def test_reset_request_answers_and_aws_work_are_identical(
    client: Client, susan: dict[str, Any]
) -> None:
    post_json(client, "/api/password-reset", {"email": "warm@example.com"})  # cold-start lookups
    answers, calls = {}, {}
    for email in (KNOWN, UNKNOWN):
        calls[email] = _calls(
            lambda email=email: answers.__setitem__(
                email, post_json(client, "/api/password-reset", {"email": email})
            )
        )
    assert answers[KNOWN].status_code == answers[UNKNOWN].status_code == 202
    assert answers[KNOWN].body == answers[UNKNOWN].body
    assert _but_request_id(answers[KNOWN].headers) == _but_request_id(answers[UNKNOWN].headers)
    assert calls[KNOWN] == calls[UNKNOWN]
    assert "sqs.SendMessage" in calls[KNOWN]


def test_html_reset_form_answers_alike(client: Client, susan: dict[str, Any]) -> None:
    responses = []
    for email in (KNOWN, UNKNOWN):
        browser = Browser(client)
        responses.append(browser.submit("/reset_password_request", {"email": email}))
    known, unknown = responses
    assert known.status_code == unknown.status_code == 303
    assert known.body == unknown.body
    assert known.headers["Location"] == unknown.headers["Location"]
    assert [c.split("=")[0] for c in known.headers["Set-Cookie"]] == [
        c.split("=")[0] for c in unknown.headers["Set-Cookie"]
    ]


def test_login_answers_and_aws_work_are_identical(client: Client, susan: dict[str, Any]) -> None:
    answers, calls = {}, {}
    for name in ("susan", "nobody"):
        calls[name] = _calls(
            lambda name=name: answers.__setitem__(
                name, post_json(client, "/api/tokens", {"username": name, "password": "wrong pw!"})
            )
        )
    assert answers["susan"].status_code == answers["nobody"].status_code == 401
    assert answers["susan"].body == answers["nobody"].body
    # The one difference is behind the answer: an existing account's failure is recorded in
    # its activity (one PutItem); an unknown name's costs nothing more.
    assert calls["susan"] == [*calls["nobody"], "dynamodb.PutItem"]


def _argon2_work(action: Callable[[], Any]) -> Work:
    with argon2_work() as work:
        action()
    return work


def test_known_unknown_and_locked_logins_do_the_same_argon2_work(
    production_hashing: None, client: Client, susan: dict[str, Any]
) -> None:
    """What a login's timing could reveal is its work: one argon2id verification with today's
    parameters, production's, for every kind of login (with the same AWS calls, tested above)."""

    def login(name: str, password: str = WRONG) -> Callable[[], Any]:
        return lambda: post_json(client, "/api/tokens", {"username": name, "password": password})

    login("ghost")()  # a container's first unknown login may make its dummy hash: not counted
    today = ("verify", extract_parameters(passwords.hash_password(NEW_PASSWORD)))
    production = RFC_9106_LOW_MEMORY
    assert (today[1].time_cost, today[1].memory_cost, today[1].parallelism) == (
        production.time_cost,
        production.memory_cost,
        production.parallelism,
    )
    assert _argon2_work(login("susan")) == [today]
    assert _argon2_work(login("nobody")) == [today]
    for _ in range(5):
        login("susan")()
    assert _argon2_work(login("susan", PASSWORD)) == [today]  # locked: the right password


def test_known_and_unknown_reset_requests_do_no_argon2_work(
    client: Client, susan: dict[str, Any]
) -> None:
    for email in (KNOWN, UNKNOWN):
        request = {"email": email}
        assert _argon2_work(lambda r=request: post_json(client, "/api/password-reset", r)) == []


# -- email bombing -------------------------------------------------------------


def test_eight_requests_send_at_most_three_emails(client: Client, susan: dict[str, Any]) -> None:
    answers = [post_json(client, "/api/password-reset", {"email": KNOWN}) for _ in range(8)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.body for a in answers}) == 1
    drain_queue()
    assert len(sent_mail()) == 3


def test_the_address_cap_counts_any_spelling(client: Client, susan: dict[str, Any]) -> None:
    for email in ("susan@example.com", "SUSAN@example.com", "susan@EXAMPLE.COM", KNOWN):
        post_json(client, "/api/password-reset", {"email": email})
    drain_queue()
    assert len(sent_mail()) == 3


def test_the_client_cap_stops_spraying_many_addresses(client: Client) -> None:
    for i in range(25):
        accounts.register(f"user{i}", f"user{i}@example.com", PASSWORD) if i < 22 else None
    settle_mail()  # the verification emails
    answers = [
        post_json(client, "/api/password-reset", {"email": f"user{i}@example.com"})
        for i in range(22)
    ]
    assert {a.status_code for a in answers} == {202}
    drain_queue()
    assert len(sent_mail()) == 20  # RESET_REQUESTS_PER_IP_PER_HOUR


# -- login guessing ------------------------------------------------------------


def test_login_locks_after_repeated_failures_without_revealing_anything(
    client: Client, susan: dict[str, Any]
) -> None:
    def attempt(name: str, password: str) -> Any:
        return post_json(client, "/api/tokens", {"username": name, "password": password})

    failures = {name: [attempt(name, "wrong pw!") for _ in range(5)] for name in ("susan", "ghost")}
    locked = attempt("susan", PASSWORD)  # the right password, but too late
    ghost = attempt("ghost", PASSWORD)
    assert locked.status_code == ghost.status_code == 401
    assert locked.body == ghost.body == failures["susan"][0].body
    assert attempt("Susan", PASSWORD).status_code == 401  # the lock ignores case


def test_a_successful_login_resets_the_failure_count(client: Client, susan: dict[str, Any]) -> None:
    def attempt(password: str) -> int:
        body = {"username": "susan", "password": password}
        return int(post_json(client, "/api/tokens", body).status_code)

    assert [attempt("wrong pw!") for _ in range(4)] == [401] * 4
    assert attempt(PASSWORD) == 200
    assert [attempt("wrong pw!") for _ in range(4)] == [401] * 4
    assert attempt(PASSWORD) == 200


# -- races ---------------------------------------------------------------------


RACE_LOST = (InvalidTokenError, ConflictError)


def test_twenty_concurrent_confirms_change_the_password_once(susan: dict[str, Any]) -> None:
    password_reset.request_reset(KNOWN, "192.0.2.1")
    drain_queue()
    token = token_from(sent_mail()[0], RESET)
    results = together(20, lambda: password_reset.confirm_reset(token, NEW_PASSWORD), RACE_LOST)
    winners = [r for r in results if isinstance(r, users.User)]
    assert len(winners) == 1
    assert all(isinstance(r, InvalidTokenError) for r in results if r not in winners)
    drain_queue()
    changed = [m for m in sent_mail() if "was changed" in m.message["Subject"]]
    assert len(changed) == 1


def test_twenty_concurrent_registrations_create_one_account() -> None:
    counter = iter(range(100))
    lock = threading.Lock()

    def register() -> Any:
        with lock:
            n = next(counter)
        return accounts.register(f"racer{n}", "same@example.com", PASSWORD)

    results = together(20, register, RACE_LOST)
    assert sum(isinstance(r, users.User) for r in results) == 1
    assert sum(isinstance(r, ConflictError) for r in results) == 19
    stored = list(UserRecord.scan(UserRecord.pk.startswith("user#")))
    assert len(stored) == 1


def test_dummy_hash_costs_what_a_real_hash_costs(production_hashing: None) -> None:
    assert not passwords.needs_rehash(passwords.dummy_hash())


@pytest.mark.parametrize("email", [KNOWN, UNKNOWN])
def test_throttled_requests_send_nothing_and_answer_alike(
    client: Client, susan: dict[str, Any], email: str
) -> None:
    first = [post_json(client, "/api/password-reset", {"email": email}) for _ in range(3)]
    drain_queue()
    before = len(sent_mail())
    throttled = post_json(client, "/api/password-reset", {"email": email})
    assert throttled.status_code == 202
    assert throttled.body == first[0].body
    assert drain_queue() == 0
    assert len(sent_mail()) == before
