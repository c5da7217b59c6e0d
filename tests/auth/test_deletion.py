"""Deleting an account: one transaction removes it, its guards and sessions; only its events
stay, holding no address but a keyed digest."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.activity_models import SessionRecord
from chalicelib.auth import accounts, activity, deletion, email_change, password_reset, verification
from chalicelib.auth.activity import Origin
from chalicelib.errors import AuthenticationError, InvalidTokenError
from chalicelib.models import USER_PREFIX
from chalicelib.settings import get_settings
from tests.helpers.accounts import SESSION, verify_address
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import (
    VERIFY,
    drain_queue,
    sent_mail,
    settle_mail,
    token_from,
    with_subject,
)
from tests.helpers.races import together
from tests.helpers.web import api_gateway_post, api_gateway_request

OWNER = "198.51.100.7"
HERE = Origin(client=OWNER, user_agent="Firefox on Linux", request_id="req-1")


def _bearer() -> dict[str, str]:
    login = api_gateway_post("/api/tokens", {"username": "susan", "password": PASSWORD}, OWNER)
    return {"Authorization": f"Bearer {json.loads(login['body'])['access_token']}"}


def _everything() -> list[dict[str, Any]]:
    """Every item of the three tables (a SCAN of each)."""
    settings = get_settings()
    tables = [settings.users_table, settings.state_table, settings.owner.activity_table]
    return [item for table in tables for item in aws.dynamodb().scan(TableName=table)["Items"]]


def _stored_session(user_id: str) -> None:
    now = int(time.time())
    SessionRecord(
        USER_PREFIX + user_id,
        "session#abc",
        kind="page",
        created_at=now,
        last_used_at=now,
        client=OWNER,
        expires_at=datetime.fromtimestamp(now + 3600, tz=UTC),
    ).save()


def test_deleting_frees_the_name_and_address_and_leaves_only_hashed_events() -> None:
    user = verify_address(accounts.register("susan", "Susan@Example.com", PASSWORD))
    settle_mail()
    _stored_session(user.id)
    bearer = _bearer()
    gone = api_gateway_request(
        "DELETE", "/api/users/me", OWNER, body={"password": PASSWORD}, **bearer
    )
    assert gone["statusCode"] == 204
    assert api_gateway_request("GET", "/api/users/me", OWNER, **bearer)["statusCode"] == 401
    left = _everything()
    mine = [item for item in left if user.id in json.dumps(item)]
    assert mine, "its last event stays"
    assert all(item["sk"]["S"].startswith("event#") for item in mine)
    [last] = [item for item in mine if item["kind"]["S"] == "account_deleted"]
    assert last["client"]["S"] == OWNER
    assert last["address_digest"]["S"] == deletion.address_digest("susan@example.com")
    text = json.dumps(left).casefold()
    assert "susan@example.com" not in text
    assert '"susan"' not in text
    accounts.register("susan", "susan@example.com", PASSWORD)  # both free again, at once
    drain_queue()
    [notice] = [m for m in sent_mail() if "deleted" in str(m.message["Subject"])]
    assert notice.destinations[0] == "susan@example.com"


def test_a_wrong_password_deletes_nothing() -> None:
    accounts.register("susan", "susan@example.com", PASSWORD)
    settle_mail()
    bearer = _bearer()
    before = _everything()
    wrong = api_gateway_request(
        "DELETE", "/api/users/me", OWNER, body={"password": "not it"}, **bearer
    )
    assert wrong["statusCode"] == 401
    assert api_gateway_request("GET", "/api/users/me", OWNER, **bearer)["statusCode"] == 200
    users_now = [i for i in _everything() if not i["pk"]["S"].startswith("throttle#")]
    assert users_now == [i for i in before if not i["pk"]["S"].startswith("throttle#")]


def test_queued_mail_of_a_deleted_account_is_dropped_and_its_links_are_dead() -> None:
    """A reset job, a change link and a notice queued before the deletion send nothing (only
    the last notice goes out); a link delivered before leads nowhere."""
    registered = accounts.register("susan", "susan@example.com", PASSWORD)
    drain_queue()
    [delivered] = sent_mail()  # the verification link, followed by nobody yet
    user = verify_address(registered)
    email_change.request_change(user, PASSWORD, "susan@new.example", SESSION)
    password_reset.request_reset("susan@example.com", OWNER)
    deletion.delete_account(user, PASSWORD, SESSION, HERE)
    drain_queue()
    [last] = sent_mail()[1:]
    assert "deleted" in str(last.message["Subject"])
    with pytest.raises(InvalidTokenError):
        verification.confirm(token_from(delivered, VERIFY))


def test_ten_concurrent_deletions_delete_once_and_record_one_event() -> None:
    """The transaction is conditional on the account as it was read: of deletions racing each
    other, one deletes and records; the others find the account changed (gone) and fail."""
    user = verify_address(accounts.register("susan", "susan@example.com", PASSWORD))
    settle_mail()
    outcomes = together(
        10, lambda: deletion.delete_account(user, PASSWORD, SESSION, HERE), (AuthenticationError,)
    )
    assert sum(outcome is None for outcome in outcomes) == 1  # deleted
    assert sum(isinstance(outcome, AuthenticationError) for outcome in outcomes) == 9
    kinds = [event.kind for event in activity.recent(user.id).items]
    assert kinds.count("account_deleted") == 1
    drain_queue()
    assert len(with_subject("deleted")) == 1  # one last notice
