""" "This wasn't me": the link in a security notice undoes an intruder's change, once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.activity_models import SessionRecord
from chalicelib.auth import accounts, activity, not_me, preferences, tokens, users, verification
from chalicelib.auth.activity import Origin
from chalicelib.auth.guards import find_by_email
from chalicelib.errors import InvalidTokenError
from chalicelib.models import USER_PREFIX
from tests.helpers.accounts import (
    SESSION,
    change_link,
    signed_in_token,
    user_for_any,
    verify_address,
)
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, settle_mail, token_from, with_subject
from tests.helpers.races import together
from tests.helpers.web import Browser, api_gateway_post, api_gateway_request, link_in, log_in

SECURE = "secure_account"
INTRUDER = "203.0.113.66"
OWNER = "198.51.100.7"
THEIRS = "mallory@evil.example"
INTRUDERS_PASSWORD = "the intruder's own passphrase"


def _owner() -> users.User:
    user = verify_address(accounts.register("susan", "Susan@Example.com", PASSWORD))
    settle_mail()
    return user


def _bearer(password: str) -> dict[str, str]:
    login = api_gateway_post("/api/tokens", {"username": "susan", "password": password}, INTRUDER)
    assert login["statusCode"] == 200, login["body"]
    return {"Authorization": f"Bearer {json.loads(login['body'])['access_token']}"}


def _stored_session(user_id: str) -> SessionRecord:
    now = int(time.time())
    stored = SessionRecord(
        USER_PREFIX + user_id,
        "session#intruder",
        kind="api",
        created_at=now,
        last_used_at=now,
        expires_at=datetime.fromtimestamp(now + 3600, tz=UTC),
    )
    stored.save()
    return stored


def _notice_link(subject: str) -> str:
    """The path of the "this wasn't me" link in the latest notice with `subject`."""
    drain_queue()
    [notice] = [m for m in sent_mail() if subject in str(m.message["Subject"])][-1:]
    assert notice.destinations[0] == "susan@example.com"
    link = link_in(notice.part("plain"), SECURE)
    assert link in notice.part("html")
    return "/" + SECURE + "/" + link.rsplit("/", 1)[1]


def _follow(browser: Browser, path: str) -> Any:
    page = browser.get(path)
    assert page.status_code == 200, page.body
    return browser.submit(path, {})


def _intruder_signed_in(client: Client, password: str) -> tuple[Browser, dict[str, str]]:
    intruder = Browser(client)
    assert log_in(intruder, password).status_code == 303
    assert intruder.get("/").status_code == 200
    bearer = _bearer(password)
    assert api_gateway_request("GET", "/api/users/me", INTRUDER, **bearer)["statusCode"] == 200
    return intruder, bearer


def _locked_out(intruder: Browser, bearer: dict[str, str], password: str) -> None:
    home = intruder.get("/")
    assert home.status_code == 303
    assert home.headers["Location"].endswith("/login")
    assert api_gateway_request("GET", "/api/users/me", INTRUDER, **bearer)["statusCode"] == 401
    again = api_gateway_post("/api/tokens", {"username": "susan", "password": password}, INTRUDER)
    assert again["statusCode"] == 401


def _reset_reaches_owner(client: Client) -> None:
    [reset] = with_subject("Reset your password")
    assert reset.destinations[0] == "susan@example.com"
    done = api_gateway_post(
        "/api/password-reset/confirm",
        {"token": token_from(reset, RESET), "password": NEW_PASSWORD},
        OWNER,
    )
    assert done["statusCode"] == 200
    assert accounts.authenticate("susan", NEW_PASSWORD).email == "Susan@example.com"


def test_after_an_intruders_password_change_the_link_ends_every_session_and_mails_a_reset(
    client: Client,
) -> None:
    owner = _owner()
    accounts.change_password(owner, PASSWORD, INTRUDERS_PASSWORD, SESSION)
    path = _notice_link("Your password was changed")
    intruder, bearer = _intruder_signed_in(client, INTRUDERS_PASSWORD)
    stored = _stored_session(owner.id)
    drain_queue()
    before = len(sent_mail())
    assert _follow(Browser(client), path).status_code == 303
    _locked_out(intruder, bearer, INTRUDERS_PASSWORD)
    assert not list(SessionRecord.query(stored.pk, SessionRecord.sk.startswith("session#")))
    assert [e.kind for e in activity.recent(owner.id).items].count("not_me") == 1
    drain_queue()
    assert len(sent_mail()) == before + 1
    _reset_reaches_owner(client)


def test_after_an_intruders_change_of_address_the_address_comes_back(client: Client) -> None:
    owner = _owner()
    token = change_link(owner, THEIRS)
    verification.confirm(token)  # the intruder follows the link at their own address
    path = _notice_link("Your email address was changed")
    intruder, bearer = _intruder_signed_in(client, PASSWORD)
    assert _follow(Browser(client), path).status_code == 303
    record = users.load_record(owner.id)
    assert record is not None
    assert (record.email, record.email_verified) == ("Susan@example.com", True)
    assert find_by_email("susan@example.com") is not None
    assert find_by_email(THEIRS) is None  # their address is free again
    _locked_out(intruder, bearer, PASSWORD)
    drain_queue()
    assert all(m.destinations[0] != THEIRS for m in with_subject("Reset your password"))
    _reset_reaches_owner(client)


def test_a_used_link_is_dead(client: Client) -> None:
    owner = _owner()
    accounts.change_password(owner, PASSWORD, INTRUDERS_PASSWORD, SESSION)
    path = _notice_link("Your password was changed")
    browser = Browser(client)
    csrf_page = browser.get(path).body.decode()
    assert "Secure my account" in csrf_page
    assert _follow(browser, path).status_code == 303
    dead = browser.get(path)
    assert dead.status_code == 400
    assert "This link is invalid, used or has expired." in dead.body.decode()


def test_an_expired_or_forged_link_is_dead(client: Client) -> None:
    owner = _owner()
    accounts.change_password(owner, PASSWORD, INTRUDERS_PASSWORD, SESSION)
    path = _notice_link("Your password was changed")
    assert Browser(client).get(path[:-2] + "xx").status_code == 400
    with time_machine.travel(time.time() + 7 * 86400 + 60):
        assert Browser(client).get(path).status_code == 400
    assert Browser(client).get(path).status_code == 200


def test_the_link_in_a_change_requested_notice_cancels_the_change_only(client: Client) -> None:
    owner = _owner()
    token = change_link(owner, THEIRS)
    path = _notice_link("A change of your email address was requested")
    page = Browser(client).get(path).body.decode()
    assert "Cancel the change" in page
    assert _follow(Browser(client), path).status_code == 303
    record = users.load_record(owner.id)
    assert record is not None
    assert record.pending_email is None
    with pytest.raises(InvalidTokenError):
        verification.confirm(token)
    assert accounts.authenticate("susan", PASSWORD).email == "Susan@example.com"


def test_an_address_taken_meanwhile_is_not_restored_and_gets_no_reset(client: Client) -> None:
    owner = _owner()
    verification.confirm(change_link(owner, THEIRS))
    path = _notice_link("Your email address was changed")
    accounts.register("squatter", "susan@example.com", PASSWORD)  # the old address, taken
    settle_mail()
    answer = _follow(Browser(client), path)
    assert answer.status_code == 303
    record = users.load_record(owner.id)
    assert record is not None
    assert record.email == THEIRS
    drain_queue()
    assert not with_subject("Reset your password")


def test_the_link_is_offered_in_the_owners_language() -> None:
    owner = preferences.set_locale(_owner(), "es")
    accounts.change_password(owner, PASSWORD, INTRUDERS_PASSWORD, SESSION)
    drain_queue()
    [notice] = sent_mail()
    assert "No fui yo" in notice.part("html")
    assert "sigue este enlace en 7 días como máximo" in notice.part("plain")
    assert f"/{SECURE}/" in notice.part("plain")


def test_ten_concurrent_uses_of_one_link_act_once() -> None:
    owner = _owner()
    verification.confirm(change_link(owner, THEIRS))
    token = _notice_link("Your email address was changed").rsplit("/", 1)[1]
    origin = Origin("198.51.100.7", "curl", "req")
    results = together(10, lambda: not_me.secure(token, origin), (InvalidTokenError,))
    assert sum(isinstance(r, not_me.Secured) for r in results) == 1
    assert sum(isinstance(r, InvalidTokenError) for r in results) == 9
    assert [e.kind for e in activity.recent(owner.id).items].count("not_me") == 1
    drain_queue()
    assert len(with_subject("Reset your password")) == 1


def test_a_secure_link_token_is_good_for_nothing_else_and_nothing_else_for_it() -> None:
    owner = _owner()
    secure = tokens.issue(
        tokens.Purpose.SECURE_ACCOUNT,
        owner.id,
        owner.stamp,
        600,
        address=owner.email,
        own={"m": "s"},
    )
    for other in (tokens.Purpose.RESET_PASSWORD, tokens.Purpose.SESSION, tokens.Purpose.ACCESS):
        with pytest.raises(InvalidTokenError):
            user_for_any(other, secure)
        with pytest.raises(InvalidTokenError):
            not_me.open_link(signed_in_token(owner, other))
    assert not_me.open_link(secure).address == owner.email
