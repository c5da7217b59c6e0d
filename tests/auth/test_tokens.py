"""Tokens: signed HS256 JWTs, purpose-bound, short-lived, verified with a pinned algorithm."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import jwt
import pytest
import time_machine

from chalicelib.auth import tokens, users
from chalicelib.auth.keys import get_keyring
from chalicelib.auth.tokens import Purpose
from chalicelib.errors import InvalidTokenError

USER = "0b8c7f3e-0000-4000-8000-000000000001"
FP = "stamp-01"  # a security stamp


def _payload(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_round_trip_keeps_user_stamp_and_tutorial_claim() -> None:
    token = tokens.issue(Purpose.RESET_PASSWORD, USER, FP, ttl=600)
    assert isinstance(token, str)
    claims = tokens.verify(Purpose.RESET_PASSWORD, token)
    assert (claims.user_id, claims.stamp) == (USER, FP)
    payload = _payload(token)
    assert tokens.expand_id(str(payload["reset_password"])) == USER  # 22 characters on the wire
    assert len(str(payload["reset_password"])) == 22
    assert set(payload) == {"reset_password", "aud", "pwd", "exp"}
    assert jwt.get_unverified_header(token) == {"alg": "HS256"}


def test_a_reset_link_is_at_most_220_characters() -> None:
    stamp = users.new_stamp()
    with time_machine.travel(4_102_444_800, tick=False):  # 2100: exp has ten digits until 2286
        token = tokens.issue(Purpose.RESET_PASSWORD, USER, stamp, ttl=600)
    link = f"http://127.0.0.1:8000/reset_password/{token}"
    assert len(link) <= 220, len(link)
    assert tokens.verify  # the same token verifies (below, within its lifetime)
    with time_machine.travel(4_102_444_800 + 1, tick=False):
        assert tokens.verify(Purpose.RESET_PASSWORD, token).user_id == USER


@pytest.mark.parametrize(
    ("issued_for", "used_as"),
    [
        (Purpose.ACCESS, Purpose.RESET_PASSWORD),
        (Purpose.RESET_PASSWORD, Purpose.ACCESS),
        (Purpose.SESSION, Purpose.ACCESS),
        (Purpose.RESET_PASSWORD, Purpose.SESSION),
    ],
)
def test_tokens_are_bound_to_their_purpose(issued_for: Purpose, used_as: Purpose) -> None:
    token = tokens.issue(issued_for, USER, FP, ttl=600, own=_own(issued_for))
    with pytest.raises(InvalidTokenError):
        tokens.verify(used_as, token)


def _own(purpose: Purpose) -> dict[str, str]:
    return dict.fromkeys(purpose.own_claims, "x")


def test_a_session_or_access_token_without_its_session_id_is_refused() -> None:
    for purpose in (Purpose.SESSION, Purpose.ACCESS, Purpose.REFRESH):
        with pytest.raises(ValueError, match="carries"):
            tokens.issue(purpose, USER, FP, ttl=600)
        payload = {"sub": USER, "aud": purpose.audience, "pwd": FP, "exp": time.time() + 60}
        forged = jwt.encode(payload, get_keyring().current.secret, algorithm="HS256")
        with pytest.raises(InvalidTokenError):
            tokens.verify(purpose, forged)


def test_token_expires_after_its_lifetime() -> None:
    with time_machine.travel(1_800_000_000, tick=False):
        token = tokens.issue(Purpose.RESET_PASSWORD, USER, FP, ttl=600)
    with time_machine.travel(1_800_000_000 + 599, tick=False):
        assert tokens.verify(Purpose.RESET_PASSWORD, token).user_id == USER
    with time_machine.travel(1_800_000_000 + 601, tick=False), pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.RESET_PASSWORD, token)


def _sign(payload: dict[str, object], secret: bytes | None = None, **header: str) -> str:
    key = get_keyring().current
    return jwt.encode(payload, secret or key.secret, algorithm="HS256", headers=header or None)


def _valid_payload() -> dict[str, object]:
    now = int(time.time())
    return {
        "reset_password": USER,
        "aud": Purpose.RESET_PASSWORD.audience,
        "pwd": FP,
        "exp": now + 600,
    }


def test_the_tutorials_two_claims_are_not_enough() -> None:
    token = _sign({"reset_password": USER, "exp": int(time.time()) + 600})
    with pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.RESET_PASSWORD, token)


@pytest.mark.parametrize("missing", ["pwd", "aud", "exp", "reset_password"])
def test_every_claim_is_required(missing: str) -> None:
    payload = _valid_payload()
    del payload[missing]
    with pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.RESET_PASSWORD, _sign(payload))


def test_a_token_signed_with_another_key_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.RESET_PASSWORD, _sign(_valid_payload(), secret=b"x" * 48))


def test_alg_none_is_refused() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": "x"}).encode())
    body = base64.urlsafe_b64encode(json.dumps(_valid_payload()).encode())
    token = f"{header.decode().rstrip('=')}.{body.decode().rstrip('=')}."
    with pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.RESET_PASSWORD, token)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 5000])
def test_garbage_and_oversized_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.RESET_PASSWORD, token)


def test_previous_key_still_verifies_and_a_dropped_key_does_not(
    environment: Callable[..., None],
) -> None:
    environment(SECRET_KEY="o" * 40)
    token = tokens.issue(Purpose.ACCESS, USER, FP, ttl=60, own=_own(Purpose.ACCESS))
    environment(SECRET_KEY="n" * 40, SECRET_KEY_PREVIOUS="o" * 40)  # rotated
    assert tokens.verify(Purpose.ACCESS, token).user_id == USER
    fresh = tokens.issue(
        Purpose.ACCESS, USER, FP, 60, own=_own(Purpose.ACCESS)
    )  # signed with the current key
    environment(SECRET_KEY_PREVIOUS=None)  # rotated again: the old key is dropped
    assert tokens.verify(Purpose.ACCESS, fresh).user_id == USER
    with pytest.raises(InvalidTokenError):
        tokens.verify(Purpose.ACCESS, token)


def test_tokens_issued_before_the_shorter_format_still_verify() -> None:
    """Sessions alive at a deploy survive it: a kid header, iat and a long id are fine."""
    key = get_keyring().current
    payload = {**_valid_payload(), "iat": int(time.time())}
    token = jwt.encode(payload, key.secret, algorithm="HS256", headers={"kid": key.kid})
    assert tokens.verify(Purpose.RESET_PASSWORD, token).user_id == USER
