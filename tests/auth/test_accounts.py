"""Accounts: unique registration, login, token identity, conditional password writes."""

from __future__ import annotations

import pytest

from chalicelib.auth import accounts, passwords, sessions, tokens, users
from chalicelib.auth.activity import Origin
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    InvalidTokenError,
    PasswordPolicyError,
    StaleWriteError,
    ValidationError,
)
from chalicelib.models import Guard, UserRecord
from tests.helpers.accounts import signed_in_token, user_for_any, verify_address
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import drain_queue, sent_mail, settle_mail


def test_register_stores_an_argon2id_hash_and_both_guards() -> None:
    user = accounts.register("susan", "Susan@Example.COM", PASSWORD)
    record = users.load_record(user.id)
    assert record is not None
    assert record.password_hash.startswith("$argon2id$")
    assert PASSWORD not in record.attribute_values.values()
    assert Guard.get("username#susan").user_id == user.id
    assert Guard.get("email#susan@example.com").user_id == user.id


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("SuSaN", "other@example.com", "username"), ("bob", "SUSAN@example.com", "email")],
)
def test_usernames_and_emails_are_unique_regardless_of_case(
    username: str, email: str, field: str
) -> None:
    accounts.register("susan", "susan@example.com", PASSWORD)
    with pytest.raises(ConflictError) as caught:
        accounts.register(username, email, PASSWORD)
    assert caught.value.field == field
    assert sum(1 for _ in UserRecord.scan(UserRecord.pk.startswith("user#"))) == 1


@pytest.mark.parametrize("username", ["ab", "x" * 33, "has space", "a@b", "naïve", "semi;colon"])
def test_usernames_follow_the_documented_rule(username: str) -> None:
    with pytest.raises(ValidationError, match="3 to 32 characters"):
        accounts.register(username, "a@example.com", PASSWORD)


def test_authenticate_by_username_or_email_case_insensitively() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    for identifier in ("susan", "SUSAN", "susan@example.com", "Susan@EXAMPLE.com"):
        assert accounts.authenticate(identifier, PASSWORD).id == user.id


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("susan", "wrong password"), ("nobody", PASSWORD), ("", PASSWORD), ("susan", "x" * 10_000)],
)
def test_authenticate_refuses_alike(identifier: str, password: str) -> None:
    accounts.register("susan", "susan@example.com", PASSWORD)
    with pytest.raises(AuthenticationError, match="Invalid username or password"):
        accounts.authenticate(identifier, password)


def test_one_token_check_for_every_purpose_follows_the_password_state() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    session_id = sessions.start(user, sessions.Kind.API, 600, Origin())
    claims = {"sid": session_id, "rid": "x", "dev": "x", "adr": "x"}
    # A notice's "this wasn't me" link outlives the stamp on purpose (tests/auth/test_not_me.py).
    stamped = [p for p in tokens.Purpose if p is not tokens.Purpose.SECURE_ACCOUNT]
    tokens_by_purpose = {
        p: tokens.issue(
            p,
            user.id,
            user.stamp,
            600,
            address=user.email if p.binds_address else None,
            own={name: claims[name] for name in p.own_claims},
        )
        for p in stamped
    }
    for purpose, token in tokens_by_purpose.items():
        assert user_for_any(purpose, token) == user
        others = [p for p in stamped if p is not purpose]
        for other in others:
            with pytest.raises(InvalidTokenError) as caught:
                user_for_any(other, token)
            assert caught.value.purpose == other.value
    record = users.load_record(user.id)
    assert record is not None
    accounts.replace_password(record, NEW_PASSWORD)
    for purpose, token in tokens_by_purpose.items():
        with pytest.raises(InvalidTokenError, match="no longer current"):
            user_for_any(purpose, token)


def test_a_session_token_is_never_checked_without_its_session() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = signed_in_token(user, tokens.Purpose.ACCESS)
    with pytest.raises(ValueError, match="checked with its session"):
        users.check_token(tokens.Purpose.ACCESS, token)


def test_replace_password_refuses_a_stale_record() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    first, second = users.load_record(user.id), users.load_record(user.id)
    assert first is not None
    assert second is not None
    accounts.replace_password(first, NEW_PASSWORD)
    with pytest.raises(StaleWriteError):
        accounts.replace_password(second, "a different new password")
    stored = users.load_record(user.id)
    assert stored is not None
    assert passwords.verify_password(stored.password_hash, NEW_PASSWORD)


def test_replace_password_checks_the_policy_and_tells_the_verified_owner() -> None:
    user = verify_address(accounts.register("susan", "susan@example.com", PASSWORD))
    settle_mail()
    record = users.load_record(user.id)
    assert record is not None
    with pytest.raises(PasswordPolicyError):
        accounts.replace_password(record, "susan")
    drain_queue()
    assert sent_mail() == []
    accounts.replace_password(record, NEW_PASSWORD)
    drain_queue()
    [notice] = sent_mail()
    assert notice.message["Subject"] == "[Microblog] Your password was changed"
