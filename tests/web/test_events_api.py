"""GET /api/users/me/events: the owner's security events, newest first, a page at a time, each
with its time, client, user agent and request id. Requests come through the Lambda handler
with API Gateway events, so each carries its own client address."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.auth import activity
from chalicelib.auth.activity import EventKind, Origin
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, settle_mail, token_from, with_subject
from tests.helpers.web import api_gateway_post, api_gateway_request, json_of, post_json

HOME, CAFE, STRANGER = "198.51.100.7", "203.0.113.8", "192.0.2.66"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _register(when: float) -> None:
    body = {"username": "susan", "email": "susan@example.com", "password": PASSWORD}
    with time_machine.travel(when, tick=False):
        answer = api_gateway_post("/api/users", body, HOME, **{"user-agent": FIREFOX})
    assert answer["statusCode"] == 201
    settle_mail()


def _token() -> str:
    answer = api_gateway_post("/api/tokens", {"username": "susan", "password": PASSWORD}, HOME)
    return str(json_of(answer)["access_token"])


def _events(token: str, source_ip: str = HOME) -> Any:
    answer = api_gateway_request(
        "GET", "/api/users/me/events", source_ip, Authorization=f"Bearer {token}"
    )
    assert answer["statusCode"] == 200, answer["body"]
    return json_of(answer)


def test_the_owner_reads_an_event_with_its_time_client_agent_and_request_id() -> None:
    registered = int(time.time()) - 60  # a moment ago, to the millisecond
    _register(registered + 0.5)
    page = _events(_token())
    assert [e["kind"] for e in page["items"]] == ["signed_in", "registered"]  # newest first
    assert page == {
        "items": [
            page["items"][0],
            {
                "kind": "registered",
                "at": datetime.fromtimestamp(registered, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
                + ".500Z",
                "client": HOME,
                "user_agent": "Firefox on Linux",
                "request_id": f"req-{HOME}",
            },
        ],
        "next_cursor": None,
    }


def test_a_reset_request_is_listed_with_the_requesters_client_once_the_worker_ran() -> None:
    _register(time.time())
    answer = api_gateway_post("/api/password-reset", {"email": "susan@example.com"}, CAFE)
    assert answer["statusCode"] == 202
    token = _token()
    assert sorted(e["kind"] for e in _events(token)["items"]) == ["registered", "signed_in"]
    drain_queue()
    [requested] = [e for e in _events(token)["items"] if e["kind"] == "reset_requested"]
    assert (requested["client"], requested["request_id"]) == (CAFE, f"req-{CAFE}")


def test_a_strangers_failed_sign_in_is_listed_with_the_strangers_client() -> None:
    _register(time.time())
    body = {"username": "susan", "password": "not her password"}
    assert api_gateway_post("/api/tokens", body, STRANGER)["statusCode"] == 401
    kinds = [(e["kind"], e["client"]) for e in _events(_token())["items"]]
    # Newest first: the owner's sign-in (for the token), the stranger's failure, the account.
    assert kinds == [("signed_in", HOME), ("sign_in_failed", STRANGER), ("registered", HOME)]


def test_events_come_fifty_a_page_and_the_cursor_reads_on(client: Client) -> None:
    _register(time.time() - 3600)
    user_id = json_of(api_gateway_request("GET", "/api/users/me", HOME, **_bearer()))["id"]
    with time_machine.travel(time.time() - 1800, tick=True):
        for _ in range(54):
            activity.record(user_id, EventKind.SIGN_IN_FAILED, Origin(client=STRANGER))
    headers = _bearer()
    first = client.http.get("/api/users/me/events", headers=headers).json_body
    assert len(first["items"]) == 50
    assert first["next_cursor"]
    second = client.http.get(
        f"/api/users/me/events?cursor={first['next_cursor']}", headers=headers
    ).json_body
    # Newest first: the two sign-ins of the bearer tokens, the 54 failures, the registration.
    assert [e["kind"] for e in first["items"][:3]] == ["signed_in"] * 2 + ["sign_in_failed"]
    assert [e["kind"] for e in second["items"]] == ["sign_in_failed"] * 6 + ["registered"]
    assert second["next_cursor"] is None


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {_token()}"}


@pytest.mark.parametrize("cursor", ["bogus", "ZXZlbnQjMQ"])
def test_a_cursor_we_did_not_give_is_a_400(client: Client, cursor: str) -> None:
    _register(time.time())
    answer = client.http.get(f"/api/users/me/events?cursor={cursor}", headers=_bearer())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_request"
    assert answer.json_body["field"] == "cursor"


def test_without_a_bearer_token_the_events_are_a_401(client: Client) -> None:
    assert client.http.get("/api/users/me/events").status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.http.get("/api/users/me/events", headers=bad).status_code == 401


def test_another_accounts_events_are_not_listed(client: Client) -> None:
    _register(time.time())
    body = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    assert post_json(client, "/api/users", body).status_code == 201
    bob = post_json(client, "/api/tokens", {"username": "bob", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {bob.json_body['access_token']}"}
    items = client.http.get("/api/users/me/events", headers=headers).json_body["items"]
    assert sorted(e["kind"] for e in items) == ["registered", "signed_in"]  # one millisecond
    assert HOME not in {e["client"] for e in items}


def test_a_lock_and_the_reset_that_lifts_it_are_listed_with_their_clients() -> None:
    _register(time.time())
    wrong = {"username": "susan", "password": "not her password"}
    for _ in range(6):  # LOGIN_MAX_FAILURES (5) failures, then the one the lock refuses
        assert api_gateway_post("/api/tokens", wrong, STRANGER)["statusCode"] == 401
    assert api_gateway_post("/api/password-reset", {"email": "susan@example.com"}, HOME)
    drain_queue()
    token = token_from(with_subject("Reset")[-1], RESET)
    body = {"token": token, "password": NEW_PASSWORD}
    assert api_gateway_post("/api/password-reset/confirm", body, CAFE)["statusCode"] == 200
    login = {"username": "susan", "password": NEW_PASSWORD}
    access = json_of(api_gateway_post("/api/tokens", login, HOME))["access_token"]
    listed = [(e["kind"], e["client"]) for e in _events(access)["items"]]
    assert listed[0] == ("signed_in", HOME)  # the sign-in this token came from
    assert sorted(listed[1:3]) == [("reset_completed", CAFE), ("unlocked", CAFE)]
    assert listed[3:5] == [("reset_requested", HOME), ("locked", STRANGER)]
    assert listed.count(("sign_in_failed", STRANGER)) == 5
