"""One pending change of address per account: only the latest link works; a new request, a
cancel, a new password or the change itself voids every earlier link."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, email_change, users, verification
from chalicelib.errors import InvalidTokenError
from tests.helpers.accounts import SESSION, change_link, verify_address
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import (
    VERIFY,
    drain_queue,
    sent_mail,
    settle_mail,
    token_from,
    with_subject,
)
from tests.helpers.web import api_gateway_post, api_gateway_request

OWNER = "198.51.100.7"


def _verified_susan() -> dict[str, str]:
    """susan, verified and signed in through the API: her bearer header."""
    verify_address(accounts.register("susan", "susan@example.com", PASSWORD))
    settle_mail()
    login = api_gateway_post("/api/tokens", {"username": "susan", "password": PASSWORD}, OWNER)
    return {"Authorization": f"Bearer {json.loads(login['body'])['access_token']}"}


def _ask(bearer: dict[str, str], address: str) -> str:
    """Ask to move to `address` over the API; the token of the link mailed there."""
    body = {"email": address, "password": PASSWORD}
    assert api_gateway_post("/api/users/me/email", body, OWNER, **bearer)["statusCode"] == 202
    drain_queue()
    [link] = [m for m in with_subject("Confirm") if m.destinations[0] == address][-1:]
    return token_from(link, VERIFY)


def _confirm(token: str) -> dict[str, Any]:
    return api_gateway_post("/api/email-verification/confirm", {"token": token}, OWNER)


def _me(bearer: dict[str, str]) -> dict[str, Any]:
    answer = api_gateway_request("GET", "/api/users/me", OWNER, **bearer)
    assert answer["statusCode"] == 200
    me: dict[str, Any] = json.loads(answer["body"])
    return me


def test_a_superseded_change_link_is_dead_and_a_reset_to_it_takes_nothing(client: Client) -> None:
    """django-allauth's test_change_email_links_restrict_email: ask for X (a typo, a stranger's
    mailbox), then for Y; X's link no longer moves the account."""
    bearer = _verified_susan()
    typo = _ask(bearer, "susan@typo.example")
    meant = _ask(bearer, "susan@new.example")
    assert _me(bearer)["pending_email"] == "susan@new.example"
    dead = _confirm(typo)
    assert dead["statusCode"] == 400
    assert dead["body"] == _confirm("not-a-token")["body"]  # answered like any dead link
    before = len(sent_mail())
    api_gateway_post("/api/password-reset", {"email": "susan@typo.example"}, OWNER)
    drain_queue()
    assert sent_mail()[before:] == []  # the typo's mailbox owns no account
    moved = _confirm(meant)
    assert moved["statusCode"] == 200
    assert json.loads(moved["body"])["user"]["email"] == "susan@new.example"
    assert json.loads(moved["body"])["user"]["pending_email"] is None
    assert _confirm(typo)["statusCode"] == 400


def test_a_cancelled_change_link_answers_like_any_dead_link(client: Client) -> None:
    bearer = _verified_susan()
    token = _ask(bearer, "susan@new.example")
    assert _me(bearer)["pending_email"] == "susan@new.example"
    cancelled = api_gateway_request("DELETE", "/api/users/me/email-change", OWNER, **bearer)
    assert (cancelled["statusCode"], cancelled["body"]) == (204, "")
    assert _me(bearer)["pending_email"] is None
    dead = _confirm(token)
    assert (dead["statusCode"], dead["body"]) == (400, _confirm("not-a-token")["body"])
    again = api_gateway_request("DELETE", "/api/users/me/email-change", OWNER, **bearer)
    assert again["statusCode"] == 204  # nothing pending is no error
    anonymous = api_gateway_request("DELETE", "/api/users/me/email-change", OWNER)
    assert anonymous["statusCode"] == 401
    assert _me(bearer)["email"] == "susan@example.com"


def test_a_new_password_drops_the_pending_change() -> None:
    user = verify_address(accounts.register("susan", "susan@example.com", PASSWORD))
    token = change_link(user, "susan@new.example")
    changed = accounts.change_password(user, PASSWORD, NEW_PASSWORD, SESSION)
    assert changed.pending_email is None
    with pytest.raises(InvalidTokenError):
        verification.check_link(token)


def test_a_pending_change_shows_until_its_link_expires() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = change_link(user, "susan@new.example")
    stored = users.load_record(user.id)
    assert stored is not None
    assert users.User.from_record(stored).pending_email == "susan@new.example"
    with time_machine.travel(time.time() + 86401):
        assert users.User.from_record(stored).pending_email is None
        with pytest.raises(InvalidTokenError):
            verification.check_link(token)


def test_asking_for_the_current_address_changes_nothing_pending() -> None:
    user = verify_address(accounts.register("susan", "susan@example.com", PASSWORD))
    token = change_link(user, "susan@new.example")
    email_change.request_change(user, PASSWORD, "SUSAN@example.com", SESSION)
    assert verification.check_link(token) == "susan@new.example"
