"""One canonical address for every guard and lookup: no spelling squats another's, any
spelling of one address finds it, and accounts stored before keep working."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth import accounts, guards, passwords, users, verification
from chalicelib.errors import ConflictError
from chalicelib.models import EMAIL_PREFIX, USER_PREFIX, USERNAME_PREFIX, Guard, UserRecord
from tests.helpers.accounts import change_link
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, settle_mail, token_from, with_subject
from tests.helpers.web import api_gateway_post

CLIENT = "198.51.100.7"


def _register(username: str, email: str) -> dict[str, Any]:
    body = {"username": username, "email": email, "password": PASSWORD}
    return api_gateway_post("/api/users", body, CLIENT)


def _forgot(email: str) -> list[str]:
    """Ask for a reset link as a stranger would; where mail went."""
    before = len(sent_mail())
    answer = api_gateway_post("/api/password-reset", {"email": email}, CLIENT)
    assert answer["statusCode"] == 202
    drain_queue()
    return [m.destinations[0] for m in sent_mail()[before:]]


def _logs_in(identifier: str) -> bool:
    body = {"username": identifier, "password": PASSWORD}
    return bool(api_gateway_post("/api/tokens", body, CLIENT)["statusCode"] == 200)


def test_glass_and_glass_with_sharp_s_are_two_addresses(client: Client) -> None:
    assert _register("sharp", "x@glaß.de")["statusCode"] == 201
    assert _register("plain", "x@glass.de")["statusCode"] == 201  # not squatted by ß -> ss
    settle_mail()
    assert _forgot("x@glass.de") == ["x@glass.de"]
    assert _forgot("x@glaß.de") == ["x@xn--gla-7ka.de"]
    assert _forgot("x@xn--gla-7ka.de") == ["x@xn--gla-7ka.de"]


@pytest.mark.parametrize(
    ("registered", "asked"), [("x@glaß.de", "x@glass.de"), ("x@glass.de", "x@glaß.de")]
)
def test_forgot_password_never_mails_the_other_domain(
    client: Client, registered: str, asked: str
) -> None:
    assert _register("only", registered)["statusCode"] == 201
    settle_mail()
    assert _forgot(asked) == []
    assert not _logs_in(asked)
    assert _logs_in(registered)


def test_unicode_and_punycode_spellings_are_one_address(client: Client) -> None:
    created = _register("bucher", "Reader@Bücher.example")
    assert created["statusCode"] == 201
    assert json.loads(created["body"])["email"] == "Reader@bücher.example"  # kept for display
    taken = _register("copycat", "reader@XN--BCHER-KVA.example")
    assert taken["statusCode"] == 409
    settle_mail()
    assert _forgot("READER@xn--bcher-kva.example") == ["reader@xn--bcher-kva.example"]
    assert _forgot("reader@bücher.example") == ["reader@xn--bcher-kva.example"]
    assert _logs_in("reader@xn--bcher-kva.example")
    assert _logs_in("Reader@BÜCHER.example")


# -- accounts stored before canonical addresses -------------------------------------------


def _written_the_old_way(username: str, email: str) -> users.User:
    """An account as the app stored it before: no canonical address on the record, and the
    address's guard keyed by the address as normalised then, casefolded (Unicode domain)."""
    now = int(time.time())
    record = UserRecord(
        USER_PREFIX + f"old-{username}",
        user_id=f"old-{username}",
        username=username,
        email=email,
        password_hash=passwords.hash_password(PASSWORD),
        created_at=now,
        password_changed_at=now,
        email_verified=True,
        security_stamp=users.new_stamp(),
    )
    record.save()
    Guard(USERNAME_PREFIX + username, user_id=record.user_id).save()
    Guard(EMAIL_PREFIX + email.casefold(), user_id=record.user_id).save()
    return users.User.from_record(record)


def test_an_old_account_logs_in_resets_and_moves_by_its_address(client: Client) -> None:
    old = _written_the_old_way("olive", "Olive@bücher.example")
    assert _logs_in("olive@xn--bcher-kva.example")
    assert _logs_in("OLIVE@Bücher.example")
    assert _forgot("olive@bücher.example") == ["olive@xn--bcher-kva.example"]
    token = token_from(with_subject("Reset")[-1], RESET)
    body = {"token": token, "password": NEW_PASSWORD}
    assert api_gateway_post("/api/password-reset/confirm", body, CLIENT)["statusCode"] == 200
    current = accounts.authenticate("olive@bücher.example", NEW_PASSWORD)
    moved = verification.confirm(change_link(current, "olive@büro.example", NEW_PASSWORD))
    assert moved.email == "olive@büro.example"
    with pytest.raises(Guard.DoesNotExist):
        Guard.get(EMAIL_PREFIX + "olive@bücher.example")  # the old key went with the move
    assert Guard.get(EMAIL_PREFIX + "olive@xn--bro-hoa.example").user_id == old.id
    stored = users.load_record(old.id)
    assert stored is not None
    assert stored.canonical_email == "olive@xn--bro-hoa.example"
    assert guards.find_by_email("olive@BÜRO.example") is not None
    assert _register("newbie", "olive@bücher.example")["statusCode"] == 201  # free again


def test_an_old_account_still_holds_its_address_against_new_registrations(
    client: Client,
) -> None:
    _written_the_old_way("olive", "olive@bücher.example")
    assert _register("copycat", "Olive@xn--bcher-kva.example")["statusCode"] == 409
    with pytest.raises(ConflictError):
        accounts.register("copycat2", "olive@Bücher.example", PASSWORD)


def test_an_old_sharp_s_account_is_found_by_its_own_address_only(client: Client) -> None:
    """Its old key is `email#x@glass.de`: the key of x@glass.de today."""
    _written_the_old_way("sharp", "x@glaß.de")
    assert _forgot("x@glass.de") == []
    assert not _logs_in("x@glass.de")
    assert _forgot("x@glaß.de") == ["x@xn--gla-7ka.de"]
    assert _logs_in("x@xn--gla-7ka.de")
    assert _register("copycat", "x@glaß.de")["statusCode"] == 409
