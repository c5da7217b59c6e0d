"""Security stamps: every token carries its account's; every change of password or address
writes a fresh random one, which ends the tokens issued before, for good."""

from __future__ import annotations

import hashlib
import time
from base64 import urlsafe_b64encode

import pytest

from chalicelib.auth import accounts, passwords, sessions, tokens, users, verification
from chalicelib.errors import InvalidTokenError
from chalicelib.models import EMAIL_PREFIX, USER_PREFIX, USERNAME_PREFIX, Guard, UserRecord
from tests.helpers.accounts import SESSION, change_link, signed_in_token
from tests.helpers.environment import NEW_PASSWORD, PASSWORD

ACCESS = tokens.Purpose.ACCESS


def _stored(user_id: str) -> UserRecord:
    record = users.load_record(user_id)
    assert record is not None
    return record


def _move(user: users.User, address: str) -> users.User:
    """Ask for and follow a change-of-address link to `address`, as its owner would."""
    return verification.confirm(change_link(user, address))


def test_an_account_is_born_with_a_random_stamp_that_every_token_carries() -> None:
    first = accounts.register("susan", "susan@example.com", PASSWORD)
    second = accounts.register("bob", "bob@example.com", PASSWORD)
    assert first.stamp == _stored(first.id).security_stamp
    assert len(first.stamp) == 8
    assert first.stamp != second.stamp
    token = signed_in_token(first, ACCESS, 600)
    assert tokens.verify(ACCESS, token).stamp == first.stamp


def test_moving_an_address_away_and_back_never_revives_a_token() -> None:
    user = accounts.register("susan", "a@example.com", PASSWORD)
    before = signed_in_token(user, ACCESS, 3600)
    pending = users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 3600, address="c@example.com")
    moved = _move(user, "b@example.com")
    back = _move(moved, "a@example.com")
    assert back.email == "a@example.com"
    assert len({user.stamp, moved.stamp, back.stamp}) == 3
    with pytest.raises(InvalidTokenError):
        sessions.check(ACCESS, before)
    with pytest.raises(InvalidTokenError):
        verification.confirm(pending)  # the change link left behind stays dead too
    assert sessions.check(ACCESS, signed_in_token(back, ACCESS, 60)).user == back


def test_a_forced_reset_ends_every_token_with_a_fresh_stamp() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = signed_in_token(user, ACCESS, 3600)
    voided = accounts.void_password(user.id)
    assert voided is not None
    assert voided.stamp not in (user.stamp, "")
    assert _stored(user.id).password_hash.startswith(passwords.UNUSABLE_PREFIX)
    with pytest.raises(InvalidTokenError):
        sessions.check(ACCESS, token)
    assert accounts.void_password("no-such-account") is None


def _legacy_fingerprint(password_hash: str, email: str) -> str:
    """What tokens carried before stamps: a digest of the password hash and the address."""
    message = b"microblog-pwd:" + f"{password_hash}\n{email.casefold()}".encode()
    return urlsafe_b64encode(hashlib.sha256(message).digest()[:6]).decode()


def _written_before_stamps() -> UserRecord:
    """An account as the app stored it before security stamps existed."""
    now = int(time.time())
    record = UserRecord(
        USER_PREFIX + "old-1",
        user_id="old-1",
        username="olive",
        email="Olive@example.com",
        password_hash=passwords.hash_password(PASSWORD),
        created_at=now,
        password_changed_at=now,
        email_verified=True,
    )
    record.save()
    Guard(USERNAME_PREFIX + "olive", user_id="old-1").save()
    Guard(EMAIL_PREFIX + "olive@example.com", user_id="old-1").save()
    return record


def test_a_record_written_before_stamps_keeps_its_tokens_until_its_first_change() -> None:
    record = _written_before_stamps()
    legacy = users.User.from_record(record)
    assert legacy.stamp == _legacy_fingerprint(record.password_hash, record.email)
    old_token = signed_in_token(legacy, ACCESS, 3600)
    user = sessions.check(ACCESS, old_token).user  # issued before the change: still good
    assert (user.id, user.email, user.email_verified) == ("old-1", "Olive@example.com", True)
    assert accounts.authenticate("olive", PASSWORD).stamp == user.stamp
    changed = accounts.change_password(user, PASSWORD, NEW_PASSWORD, SESSION)
    stored = _stored("old-1")
    assert stored.security_stamp == changed.stamp
    assert changed.stamp != _legacy_fingerprint(stored.password_hash, stored.email)
    with pytest.raises(InvalidTokenError):
        sessions.check(ACCESS, old_token)
    assert sessions.check(ACCESS, signed_in_token(changed, ACCESS, 60)).user == changed
