"""DELETE /api/users/me and GET /api/users/me/export: what they take and what they answer."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from chalice.test import Client

from chalicelib.activity_models import SessionRecord
from chalicelib.auth import users
from chalicelib.auth.activity import EventKind, Origin, record
from chalicelib.models import USER_PREFIX
from tests.helpers.environment import PASSWORD
from tests.helpers.web import post_json


def _bearer(client: Client) -> dict[str, str]:
    login = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json_body['access_token']}"}


def _delete(client: Client, body: Any, **headers: str) -> Any:
    payload = json.dumps(body)
    sent = {"Content-Type": "application/json", **headers}
    return client.http.request("DELETE", "/api/users/me", body=payload, headers=sent)


def test_delete_needs_a_bearer_and_the_password(client: Client, susan: dict[str, Any]) -> None:
    assert _delete(client, {"password": PASSWORD}).status_code == 401
    bearer = _bearer(client)
    wrong = _delete(client, {"password": "not it"}, **bearer)
    assert wrong.status_code == 401
    assert json.loads(wrong.body)["error"] == "unauthorized"
    assert _delete(client, {}, **bearer).status_code == 400
    assert users.load_record(susan["id"]) is not None
    done = _delete(client, {"password": PASSWORD}, **bearer)
    assert done.status_code == 204
    assert users.load_record(susan["id"]) is None
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401


def test_export_holds_the_account_its_sessions_and_events_and_no_secret(
    client: Client, susan: dict[str, Any]
) -> None:
    now = int(time.time())
    SessionRecord(
        USER_PREFIX + susan["id"],
        "session#s1",
        kind="api",
        created_at=now,
        last_used_at=now,
        client="198.51.100.7",
        user_agent="curl",
        refresh_id="refresh-secret",
        expires_at=datetime.fromtimestamp(now + 3600, tz=UTC),
    ).save()
    for _ in range(3):
        record(susan["id"], EventKind.SIGNED_IN, Origin("198.51.100.7", "curl", "req-9"))
    bearer = _bearer(client)
    answer = client.http.get("/api/users/me/export", headers=bearer)
    assert answer.status_code == 200
    exported = json.loads(answer.body)
    assert set(exported) == {"account", "sessions", "events"}
    account = exported["account"]
    assert set(account) == {
        "id",
        "username",
        "email",
        "email_verified",
        "locale",
        "pending_email",
        "created_at",
        "password_changed_at",
    }
    assert account["username"] == "susan"
    assert account["created_at"].endswith("Z")
    at = datetime.fromtimestamp(now, tz=UTC).isoformat().replace("+00:00", "Z")
    assert {
        "id": "s1",
        "kind": "api",
        "created_at": at,
        "last_used_at": at,
        "client": "198.51.100.7",
        "user_agent": "curl",
        "current": False,
    } in exported["sessions"]
    assert [s["current"] for s in exported["sessions"]].count(True) == 1  # the caller's
    ours = [e for e in exported["events"] if e["request_id"] == "req-9"]
    assert [e["kind"] for e in ours] == ["signed_in"] * 3
    assert set(ours[0]) == {"kind", "at", "client", "user_agent", "request_id"}
    stored = users.load_record(susan["id"])
    assert stored is not None
    secrets = [stored.password_hash, stored.security_stamp or "", "refresh-secret"]
    secrets.append(bearer["Authorization"].split()[1])
    assert not [secret for secret in secrets if secret in answer.body.decode()]
    assert client.http.get("/api/users/me/export").status_code == 401
