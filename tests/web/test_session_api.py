"""The sessions' JSON API: sign in, refresh, list and end sessions, log out."""

from __future__ import annotations

from typing import Any

import time_machine
from chalice.test import Client

from chalicelib.activity_models import EventRecord
from chalicelib.auth import activity
from tests.helpers.environment import PASSWORD
from tests.helpers.web import api_gateway_post, api_gateway_request, json_of, post_json

CREDENTIALS = {"username": "susan", "password": PASSWORD}
SESSIONS = "/api/users/me/sessions"


def _sign_in(client: Client) -> dict[str, Any]:
    answer = post_json(client, "/api/tokens", CREDENTIALS)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json_body
    return body


def _bearer(grant: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {grant['access_token']}"}


def _me(client: Client, grant: dict[str, Any]) -> int:
    status: int = client.http.get("/api/users/me", headers=_bearer(grant)).status_code
    return status


def _post(client: Client, path: str, grant: dict[str, Any]) -> Any:
    return post_json(client, path, {}, **_bearer(grant))


def _events(user_id: str) -> list[EventRecord]:
    return activity.recent(user_id).items


def test_a_sign_in_answers_its_session_and_a_refresh_token(
    client: Client, susan: dict[str, Any]
) -> None:
    grant = _sign_in(client)
    assert {"session_id", "refresh_token", "access_token", "device_token"} <= set(grant)
    listed = client.http.get(SESSIONS, headers=_bearer(grant)).json_body["items"]
    assert [(s["id"], s["kind"], s["current"]) for s in listed] == [
        (grant["session_id"], "api", True)
    ]
    assert listed[0]["created_at"].endswith("Z")


def test_the_sign_in_event_is_recorded_once_with_the_callers_address(
    client: Client, susan: dict[str, Any]
) -> None:
    answer = api_gateway_post("/api/tokens", CREDENTIALS, "203.0.113.7", **{"user-agent": "curl/8"})
    assert answer["statusCode"] == 200
    [event] = [e for e in _events(susan["id"]) if e.kind == "signed_in"]
    assert (event.client, event.user_agent) == ("203.0.113.7", "curl")
    bearer = {"authorization": f"Bearer {json_of(answer)['access_token']}"}
    listed = json_of(api_gateway_request("GET", SESSIONS, "203.0.113.7", **bearer))["items"]
    assert [(s["client"], s["user_agent"]) for s in listed] == [("203.0.113.7", "curl")]


def test_ending_one_session_ends_its_token_at_once_and_only_its_own(
    client: Client, susan: dict[str, Any]
) -> None:
    mine, other = _sign_in(client), _sign_in(client)
    answer = client.http.delete(f"{SESSIONS}/{other['session_id']}", headers=_bearer(mine))
    assert answer.status_code == 204
    assert _me(client, other) == 401
    assert _me(client, mine) == 200
    again = client.http.delete(f"{SESSIONS}/{other['session_id']}", headers=_bearer(mine))
    assert (again.status_code, again.json_body["error"]) == (404, "not_found")
    assert sum(e.kind == "session_ended" for e in _events(susan["id"])) == 1


def test_another_accounts_session_is_not_found_and_lives_on(client: Client) -> None:
    for name in ("susan", "ada"):
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        assert post_json(client, "/api/users", body).status_code == 201
    susan = _sign_in(client)
    ada = post_json(client, "/api/tokens", {"username": "ada", "password": PASSWORD}).json_body
    answer = client.http.delete(f"{SESSIONS}/{ada['session_id']}", headers=_bearer(susan))
    assert (answer.status_code, answer.json_body["error"]) == (404, "not_found")
    assert client.http.delete(f"{SESSIONS}/x", headers=_bearer(susan)).status_code == 404
    assert _me(client, ada) == 200


def test_revoking_the_others_keeps_the_caller(client: Client, susan: dict[str, Any]) -> None:
    mine, *others = [_sign_in(client) for _ in range(3)]
    assert _post(client, f"{SESSIONS}/revoke-others", mine).status_code == 204
    assert [_me(client, grant) for grant in others] == [401, 401]
    assert _me(client, mine) == 200
    listed = client.http.get(SESSIONS, headers=_bearer(mine)).json_body["items"]
    assert [s["id"] for s in listed] == [mine["session_id"]]


def test_revoking_all_ends_every_token_and_refresh_token_the_callers_too(
    client: Client, susan: dict[str, Any]
) -> None:
    mine, other = _sign_in(client), _sign_in(client)
    assert _post(client, f"{SESSIONS}/revoke-all", mine).status_code == 204
    assert (_me(client, mine), _me(client, other)) == (401, 401)
    refreshed = post_json(client, "/api/tokens/refresh", {"refresh_token": other["refresh_token"]})
    assert refreshed.status_code == 401
    assert [e.kind for e in _events(susan["id"])].count("signed_out_everywhere") == 1
    fresh = _sign_in(client)  # the password still signs in
    listed = client.http.get(SESSIONS, headers=_bearer(fresh)).json_body["items"]
    assert [s["id"] for s in listed] == [fresh["session_id"]]


def test_logging_out_ends_the_calling_session(client: Client, susan: dict[str, Any]) -> None:
    grant = _sign_in(client)
    assert _post(client, "/api/tokens/revoke", grant).status_code == 204
    assert _me(client, grant) == 401
    refreshed = post_json(client, "/api/tokens/refresh", {"refresh_token": grant["refresh_token"]})
    assert refreshed.status_code == 401


def test_a_refresh_rotates_both_tokens_and_keeps_the_session(
    client: Client, susan: dict[str, Any]
) -> None:
    grant = _sign_in(client)
    answer = post_json(client, "/api/tokens/refresh", {"refresh_token": grant["refresh_token"]})
    assert answer.status_code == 200
    fresh = answer.json_body
    assert set(fresh) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert fresh["refresh_token"] != grant["refresh_token"]
    assert _me(client, fresh) == 200
    listed = client.http.get(SESSIONS, headers=_bearer(fresh)).json_body["items"]
    assert [s["id"] for s in listed] == [grant["session_id"]]
    again = post_json(client, "/api/tokens/refresh", {"refresh_token": fresh["refresh_token"]})
    assert again.status_code == 200


def test_a_spent_refresh_token_ends_its_whole_session(
    client: Client, susan: dict[str, Any]
) -> None:
    grant = _sign_in(client)
    spent = grant["refresh_token"]
    fresh = post_json(client, "/api/tokens/refresh", {"refresh_token": spent}).json_body
    reused = post_json(client, "/api/tokens/refresh", {"refresh_token": spent})
    assert (reused.status_code, reused.json_body["error"]) == (401, "invalid_token")
    assert _me(client, fresh) == 401  # the thief's or the owner's: the session is over
    assert _me(client, grant) == 401
    late = post_json(client, "/api/tokens/refresh", {"refresh_token": fresh["refresh_token"]})
    assert late.status_code == 401
    kinds = [e.kind for e in _events(susan["id"])]
    assert kinds.count("refresh_token_reused") == 1


def test_a_session_past_its_lifetime_is_over(client: Client, susan: dict[str, Any]) -> None:
    with time_machine.travel(1_900_000_000, tick=False):
        grant = _sign_in(client)
    with time_machine.travel(1_900_000_000 + 31 * 24 * 3600, tick=False):
        answer = post_json(client, "/api/tokens/refresh", {"refresh_token": grant["refresh_token"]})
        assert answer.status_code == 401


def test_a_malformed_refresh_body_is_a_400_and_a_forged_token_a_401(client: Client) -> None:
    assert post_json(client, "/api/tokens/refresh", {}).status_code == 400
    answer = post_json(client, "/api/tokens/refresh", {"refresh_token": "a.b.c"})
    assert (answer.status_code, answer.json_body["error"]) == (401, "invalid_token")
