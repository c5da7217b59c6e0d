"""Password reset as a domain service (no HTTP): request, compose, confirm once."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import time_machine

from chalicelib import aws
from chalicelib.auth import accounts, password_reset, sessions, tokens, users
from chalicelib.auth.activity import Origin
from chalicelib.errors import AuthenticationError, InvalidTokenError, ValidationError
from chalicelib.settings import get_settings
from tests.helpers.accounts import signed_in_token
from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, settle_mail, token_from


@pytest.fixture
def user() -> users.User:
    registered = accounts.register("susan", "Susan@Example.com", PASSWORD)
    settle_mail()  # the verification email
    return registered


def _queued() -> list[dict[str, Any]]:
    response = aws.sqs().receive_message(QueueUrl=aws.queue_url(), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in response.get("Messages", [])]


def _token_by_mail() -> str:
    password_reset.request_reset("susan@example.com", "192.0.2.1")
    drain_queue()
    return token_from(sent_mail()[-1], RESET)


def test_request_only_queues_a_job_known_or_not(user: users.User) -> None:
    password_reset.request_reset("SUSAN@example.com", "192.0.2.1")
    password_reset.request_reset("nobody@example.com", "192.0.2.1")
    # The address in canonical form, who asked and when (the worker records it).
    assert [(job["type"], job["email"], job["origin"]) for job in _queued()] == [
        ("password_reset_requested", "susan@example.com", vars(Origin())),
        ("password_reset_requested", "nobody@example.com", vars(Origin())),
    ]
    assert sent_mail() == []


@pytest.mark.parametrize("email", ["", "nope", "a@b", "x@example.com\r\nBcc: y@example.com"])
def test_request_refuses_malformed_addresses(email: str) -> None:
    with pytest.raises(ValidationError):
        password_reset.request_reset(email, "192.0.2.1")
    assert _queued() == []


def test_the_email_follows_the_tutorial(user: users.User) -> None:
    token = _token_by_mail()
    [mail] = sent_mail()
    settings = get_settings()
    assert mail.message["Subject"] == "[Microblog] Reset your password"
    assert mail.source == settings.admins[0]
    assert mail.message["To"] == "susan@example.com"  # the stored address, canonical
    link = f"{BASE_URL}/reset_password/{token}"
    for part in (mail.part("plain"), mail.part("html")):
        assert "Dear susan," in part
        assert link in part
        assert "If you have not requested a password reset, simply ignore this message." in part
    assert f'href="{link}"' in mail.part("html")
    claims = tokens.verify(tokens.Purpose.RESET_PASSWORD, token)
    assert claims.user_id == user.id
    assert claims.expires_at - time.time() == pytest.approx(600, abs=5)


def test_confirm_sets_the_password_and_voids_every_outstanding_token(
    user: users.User,
) -> None:
    first, second = _token_by_mail(), _token_by_mail()
    access = signed_in_token(user, tokens.Purpose.ACCESS, 3600)
    session = signed_in_token(user, tokens.Purpose.SESSION, 3600)
    password_reset.confirm_reset(first, NEW_PASSWORD)
    assert accounts.authenticate("susan", NEW_PASSWORD).id == user.id
    with pytest.raises(AuthenticationError):
        accounts.authenticate("susan", PASSWORD)
    for token in (first, second):
        with pytest.raises(InvalidTokenError):
            password_reset.confirm_reset(token, "another fine password")
    for purpose, token in ((tokens.Purpose.ACCESS, access), (tokens.Purpose.SESSION, session)):
        with pytest.raises(InvalidTokenError):
            sessions.check(purpose, token)


def test_resetting_to_the_same_password_still_voids_the_link(user: users.User) -> None:
    token = _token_by_mail()
    password_reset.confirm_reset(token, PASSWORD)
    with pytest.raises(InvalidTokenError):
        password_reset.open_link(token)


def test_an_open_link_shows_whose_it_is_and_sets_a_password_once(user: users.User) -> None:
    token = _token_by_mail()
    link = password_reset.open_link(token)
    assert link.user == user
    stored = users.load_record(user.id)
    assert stored is not None
    public = {name: value for name, value in vars(link).items() if not name.startswith("_")}
    assert list(public) == ["user"]  # the stored record, hash included, stays inside
    assert stored.password_hash not in repr(link.user)
    assert not hasattr(link.user, "password_hash")
    changed = link.set_password(NEW_PASSWORD)
    assert changed.email_verified  # the link proved the mailbox
    with pytest.raises(InvalidTokenError):
        link.set_password("yet another password")  # used: the stamp it was opened with is gone
    with pytest.raises(InvalidTokenError):
        password_reset.open_link(token)


def test_expired_link_is_refused() -> None:
    accounts.register("susan", "susan@example.com", PASSWORD)
    settle_mail()
    with time_machine.travel(1_900_000_000, tick=False):
        token = _token_by_mail()
    with time_machine.travel(1_900_000_000 + 601, tick=False), pytest.raises(InvalidTokenError):
        password_reset.confirm_reset(token, NEW_PASSWORD)
    assert accounts.authenticate("susan", PASSWORD)


def test_an_access_token_is_not_a_reset_token(user: users.User) -> None:
    access = signed_in_token(user, tokens.Purpose.ACCESS, 600)
    with pytest.raises(InvalidTokenError):
        password_reset.confirm_reset(access, NEW_PASSWORD)


def test_a_token_for_a_deleted_user_is_refused(user: users.User) -> None:
    token = _token_by_mail()
    record = users.load_record(user.id)
    assert record is not None
    record.delete()
    with pytest.raises(InvalidTokenError):
        password_reset.confirm_reset(token, NEW_PASSWORD)


def test_a_reset_sends_a_password_changed_notice_without_a_login_link(
    user: users.User,
) -> None:
    token = _token_by_mail()
    password_reset.confirm_reset(token, NEW_PASSWORD)
    drain_queue()
    notice = sent_mail()[-1]
    assert notice.message["Subject"] == "[Microblog] Your password was changed"
    assert notice.destinations[0] == "susan@example.com"
    for part in (notice.part("plain"), notice.part("html")):
        assert "Dear susan," in part
        assert "/reset_password/" not in part  # no token link
        assert "/login" not in part
        # Its one link secures the account ("this wasn't me"); none signs anyone in.
        linked = re.findall(r'<a href="([^"]*)"', part)
        assert all(link.startswith(f"{BASE_URL}/secure_account/") for link in linked)
