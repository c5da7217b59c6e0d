"""Device tokens: signed, bound to one account, its stamp and its verified address, checked
without a read; anything else (another account's, expired, forged, another purpose) is no
device at all."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

import jwt
import pytest
import time_machine

from chalicelib.auth import accounts, devices, tokens, users
from chalicelib.auth.keys import get_keyring
from chalicelib.errors import InvalidTokenError
from chalicelib.models import UserRecord
from tests.helpers.accounts import signed_in_token, verify_address
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import NEW_PASSWORD, PASSWORD

YEAR = 365 * 24 * 3600


def _record(user: users.User) -> UserRecord:
    record = users.load_record(user.id)
    assert record is not None
    return record


def _device(token: str) -> devices.Device:
    device = devices.read(token)
    assert device is not None
    return device


def _verified(name: str = "susan") -> users.User:
    return verify_address(accounts.register(name, f"{name}@example.com", PASSWORD))


def test_a_device_token_names_its_account_and_vouches_for_its_verified_address() -> None:
    user = _verified()
    calls = AWS_CALLS.record()
    device = _device(devices.issue(user))
    assert device.vouches_for("SUSAN@example.com")  # any spelling of the address
    assert not device.vouches_for("someone@example.com")
    AWS_CALLS.recording = False
    assert list(calls) == []  # issued and checked without a read
    assert device.belongs_to(_record(user))
    other = _verified("mallory")
    assert not device.belongs_to(_record(other))


def test_a_device_of_an_unverified_address_vouches_for_no_address() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    device = _device(devices.issue(user))
    assert device.belongs_to(_record(user))  # still a device of the account for logins
    assert not device.vouches_for("susan@example.com")


def test_a_new_password_ends_the_device_for_logins_but_not_its_address() -> None:
    user = _verified()
    device = _device(devices.issue(user))
    accounts.replace_password(_record(user), NEW_PASSWORD)
    assert not device.belongs_to(_record(user))
    assert device.vouches_for("susan@example.com")  # the reset path reads nothing


def test_reissuing_keeps_the_device_id_of_the_same_account_only() -> None:
    user, other = _verified(), _verified("mallory")
    first = _device(devices.issue(user))
    assert _device(devices.issue(user, keep=first)).device_id == first.device_id
    assert _device(devices.issue(other, keep=first)).device_id != first.device_id
    assert _device(devices.issue(user)).device_id != first.device_id


def test_a_device_token_lasts_device_ttl_days(environment: Callable[..., None]) -> None:
    user = _verified()
    with time_machine.travel(2_000_000_000, tick=False):
        token = devices.issue(user)
    with time_machine.travel(2_000_000_000 + YEAR - 1, tick=False):
        assert devices.read(token) is not None
    with time_machine.travel(2_000_000_000 + YEAR + 1, tick=False):
        assert devices.read(token) is None
    environment(DEVICE_TTL_DAYS="2")
    with time_machine.travel(2_000_000_000, tick=False):
        token = devices.issue(user)
    with time_machine.travel(2_000_000_000 + 2 * 24 * 3600 + 1, tick=False):
        assert devices.read(token) is None


@pytest.mark.parametrize(
    "purpose", [tokens.Purpose.SESSION, tokens.Purpose.ACCESS, tokens.Purpose.RESET_PASSWORD]
)
def test_other_tokens_of_the_account_are_no_device(purpose: tokens.Purpose) -> None:
    user = _verified()
    assert devices.read(signed_in_token(user, purpose, 600)) is None


def test_a_session_token_is_no_device_token_and_a_device_token_no_session() -> None:
    user = _verified()
    with pytest.raises(InvalidTokenError):  # another audience, and no session named
        tokens.verify(tokens.Purpose.SESSION, devices.issue(user))


@pytest.mark.parametrize(
    "token",
    ["", "x", "a.b.c", "e30.e30.", "é" * 40, "A" * 5000, "eyJhbGciOiJub25lIn0.e30."],
)
def test_malformed_tokens_are_no_device(token: str) -> None:
    assert devices.read(token) is None


def test_a_forged_device_token_is_no_device() -> None:
    user = _verified()
    claims = jwt.decode(devices.issue(user), options={"verify_signature": False})
    claims["adr"] = _device(devices.issue(_verified("mallory"))).address_digest
    assert devices.read(jwt.encode(claims, b"another secret" * 4, algorithm="HS256")) is None
    unsigned = jwt.encode(claims, "", algorithm="none")
    assert devices.read(unsigned) is None


def test_devices_issued_before_a_key_rotation_still_vouch(
    environment: Callable[..., None],
) -> None:
    user = _verified()
    token = devices.issue(user)
    environment(SECRET_KEY_PREVIOUS=os.environ["SECRET_KEY"], SECRET_KEY=secrets.token_urlsafe(48))
    assert get_keyring().previous  # the digest was made with the key now previous
    device = _device(token)
    assert device.vouches_for("susan@example.com")
    environment(SECRET_KEY_PREVIOUS=None)  # that key dropped: the token is nobody's device
    assert devices.read(token) is None
