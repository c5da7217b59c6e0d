"""Verification links and address changes as a domain service: single use, bound, atomic."""

from __future__ import annotations

import pytest
import time_machine

from chalicelib.auth import (
    accounts,
    email_change,
    password_reset,
    sessions,
    tokens,
    users,
    verification,
)
from chalicelib.errors import (
    AddressTakenError,
    AlreadyConfirmedError,
    AuthenticationError,
    InvalidTokenError,
    ValidationError,
)
from chalicelib.models import Guard
from tests.helpers.accounts import (
    SESSION,
    change_link,
    signed_in_token,
    user_for_any,
    verify_address,
)
from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import (
    RESET,
    VERIFY,
    drain_queue,
    sent_mail,
    settle_mail,
    token_from,
    with_subject,
)
from tests.helpers.races import together


def _register(name: str = "susan", email: str = "susan@example.com") -> users.User:
    return accounts.register(name, email, PASSWORD)


def _stored(user: users.User) -> users.User:
    record = users.load_record(user.id)
    assert record is not None
    return users.User.from_record(record)


def test_registration_mails_a_link_that_verifies_the_address_once() -> None:
    user = _register()
    assert user.email_verified is False
    drain_queue()
    [mail] = sent_mail()
    assert mail.destinations[0] == "susan@example.com"
    assert f"{BASE_URL}/verify_email/" in mail.part("plain")
    assert f"{BASE_URL}/verify_email/" in mail.part("html")
    token = token_from(mail, VERIFY)
    confirmed = verification.confirm(token)
    assert confirmed.email_verified is True
    assert _stored(user).email_verified is True
    with pytest.raises(AlreadyConfirmedError):  # a page may say so; it is no less dead
        verification.confirm(token)


def test_verifying_keeps_sessions_alive() -> None:
    user = _register()
    session = signed_in_token(user, tokens.Purpose.SESSION, 600)
    verify_address(user)
    assert sessions.check(tokens.Purpose.SESSION, session).user.email_verified is True


def test_twenty_concurrent_confirms_verify_once() -> None:
    user = _register()
    token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address=user.email)
    results = together(20, lambda: verification.confirm(token), (InvalidTokenError,))
    assert sum(isinstance(r, users.User) for r in results) == 1
    assert sum(isinstance(r, InvalidTokenError) for r in results) == 19


def test_ten_concurrent_confirms_of_a_change_move_the_account_once() -> None:
    user = verify_address(_register())
    token = change_link(user, "s@new.example")
    results = together(10, lambda: verification.confirm(token), (InvalidTokenError,))
    assert sum(isinstance(r, users.User) for r in results) == 1
    assert sum(isinstance(r, InvalidTokenError) for r in results) == 9
    assert Guard.get("email#s@new.example").user_id == user.id
    assert _stored(user).email == "s@new.example"


def test_the_link_expires() -> None:
    user = _register()
    with time_machine.travel(1_900_000_000, tick=False):
        token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 86400, address=user.email)
    with time_machine.travel(1_900_000_000 + 86401, tick=False), pytest.raises(InvalidTokenError):
        verification.confirm(token)
    assert _stored(user).email_verified is False


def test_a_completed_reset_marks_the_address_verified() -> None:
    _register()
    settle_mail()
    password_reset.request_reset("susan@example.com", "192.0.2.1")
    drain_queue()
    user = password_reset.confirm_reset(token_from(with_subject("Reset")[0], RESET), NEW_PASSWORD)
    assert user.email_verified is True
    assert _stored(user).email_verified is True


def test_a_change_moves_both_guards_and_ends_every_earlier_token() -> None:
    user = verify_address(_register())
    before = {
        p: signed_in_token(user, p, 600)
        for p in (tokens.Purpose.SESSION, tokens.Purpose.ACCESS, tokens.Purpose.RESET_PASSWORD)
    }
    settle_mail()
    email_change.request_change(user, PASSWORD, "susan@new.example", SESSION)
    drain_queue()
    [link] = [m for m in with_subject("Confirm") if m.destinations[0] == "susan@new.example"]
    [notice] = with_subject("change of your email")
    assert notice.destinations[0] == "susan@example.com"
    assert "/verify_email/" not in notice.part("plain")
    assert _stored(user).email == "susan@example.com"  # nothing moves before the link is used

    moved = verification.confirm(token_from(link, VERIFY))
    assert (moved.email, moved.email_verified) == ("susan@new.example", True)
    assert Guard.get("email#susan@new.example").user_id == user.id
    with pytest.raises(Guard.DoesNotExist):
        Guard.get("email#susan@example.com")
    for purpose, token in before.items():
        with pytest.raises(InvalidTokenError):
            user_for_any(purpose, token)
    with pytest.raises(AlreadyConfirmedError):  # whatever the stamp: that address is confirmed
        verification.confirm(token_from(link, VERIFY))
    assert accounts.authenticate("susan@new.example", PASSWORD).id == user.id
    drain_queue()
    [done] = with_subject("address was changed")
    assert done.destinations[0] == "susan@example.com"  # the old address hears of it, no link
    assert "/verify_email/" not in done.part("plain") + done.part("html")


def test_a_taken_address_fails_at_confirmation_and_changes_nothing() -> None:
    user = verify_address(_register())
    other = _register("bob", "bob@example.com")
    token = change_link(user, "bob@example.com")
    with pytest.raises(AddressTakenError, match="another account"):
        verification.confirm(token)
    assert _stored(user).email == "susan@example.com"
    assert Guard.get("email#susan@example.com").user_id == user.id
    assert Guard.get("email#bob@example.com").user_id == other.id


def test_a_new_change_request_kills_the_earlier_link() -> None:
    user = verify_address(_register())
    first = change_link(user, "a@new.example")
    second = change_link(user, "b@new.example")
    with pytest.raises(InvalidTokenError):
        verification.check_link(first)  # the page a dead link opens says so
    with pytest.raises(InvalidTokenError):
        verification.confirm(first)
    with pytest.raises(Guard.DoesNotExist):
        Guard.get("email#a@new.example")
    assert verification.confirm(second).email == "b@new.example"


def test_a_change_link_never_made_by_a_request_is_dead() -> None:
    """A token for another address that names no pending change (as every change link
    issued before pending changes existed) moves nothing."""
    user = verify_address(_register())
    token = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address="a@new.example")
    with pytest.raises(InvalidTokenError):
        verification.confirm(token)
    forged = users.issue_token(
        user, tokens.Purpose.VERIFY_EMAIL, 600, address="a@new.example", change="guessed"
    )
    change_link(user, "b@new.example")
    with pytest.raises(InvalidTokenError):
        verification.confirm(forged)
    assert _stored(user).email == "susan@example.com"


def test_a_change_needs_the_current_password() -> None:
    user = _register()
    settle_mail()
    with pytest.raises(AuthenticationError):
        email_change.request_change(user, "wrong password!", "susan@new.example", SESSION)
    drain_queue()
    assert sent_mail() == []


@pytest.mark.parametrize("email", ["jürgen@example.com", "用户@example.com"])
def test_non_ascii_local_parts_are_refused_with_a_clear_message(email: str) -> None:
    with pytest.raises(ValidationError, match="before the @"):
        _register(email=email)
    user = _register()
    with pytest.raises(ValidationError, match="before the @"):
        email_change.request_change(user, PASSWORD, email, SESSION)


def test_a_verification_token_carries_its_address_and_nothing_else_does() -> None:
    user = _register()
    with pytest.raises(ValueError, match="needs address"):
        users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600)
    with pytest.raises(ValueError, match="takes no address"):
        users.issue_token(user, tokens.Purpose.ACCESS, 600, address=user.email)
