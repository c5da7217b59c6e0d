"""A battery of forged and misused reset tokens: each one is a 400 and changes nothing."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, passwords, tokens, users
from chalicelib.auth.keys import get_keyring
from tests.helpers.accounts import signed_in_token
from tests.helpers.environment import PASSWORD
from tests.helpers.web import SESSION_COOKIE, post_json

Forge = Callable[[users.User], str]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user: users.User, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "reset_password": user.id,
        "aud": tokens.Purpose.RESET_PASSWORD.audience,
        "pwd": user.stamp,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], secret: bytes | None = None, alg: str = "HS256") -> str:
    key = get_keyring().current
    return jwt.encode(claims, secret or key.secret, algorithm=alg, headers={"kid": key.kid})


def _valid(user: users.User) -> str:
    return users.issue_token(user, tokens.Purpose.RESET_PASSWORD, 600)


def _verify(user: users.User) -> str:
    return users.issue_token(user, tokens.Purpose.VERIFY_EMAIL, 600, address=user.email)


def _expired(user: users.User) -> str:
    with time_machine.travel(time.time() - 601, tick=False):
        return _valid(user)


FORGERIES: dict[str, Forge] = {
    "alg none": lambda u: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(u))}.",
    "alg none with kid": lambda u: (
        f"{_b64({'alg': 'none', 'kid': get_keyring().current.kid})}.{_b64(_claims(u))}."
    ),
    "wrong key": lambda u: _sign(_claims(u), secret=b"attacker-key-" * 4),
    "HS512 with the right key": lambda u: _sign(_claims(u), alg="HS512"),
    "expired with the right key": _expired,
    "access token as reset token": lambda u: signed_in_token(u, tokens.Purpose.ACCESS),
    "session token as reset token": lambda u: signed_in_token(u, tokens.Purpose.SESSION),
    "verification token as reset token": lambda u: _verify(u),
    "truncated": lambda u: _valid(u)[:-5],
    "signature stripped": lambda u: _valid(u).rsplit(".", 1)[0] + ".",
    "oversized": lambda u: _valid(u) + "A" * 5000,
    "tutorial's claims only": lambda u: _sign({"reset_password": u.id, "exp": time.time() + 600}),
    "stale security stamp": lambda u: _sign(_claims(u, pwd="not-the-stamp")),
    "another user's id": lambda u: _sign(_claims(u, reset_password="someone-else")),
    "user id not a string": lambda u: _sign(_claims(u, reset_password=12345)),
    # Tokens name no key any more (the keyring is tried in order), so a kid proves nothing:
    "our kid, another key": lambda u: jwt.encode(
        _claims(u), b"k" * 48, algorithm="HS256", headers={"kid": get_keyring().current.kid}
    ),
    "not a jwt": lambda u: "hello",
    "empty": lambda u: "",
}


@pytest.mark.parametrize("name", FORGERIES)
def test_forged_reset_token_is_refused_and_changes_nothing(client: Client, name: str) -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    before = users.load_record(user.id)
    assert before is not None
    token = FORGERIES[name](user)
    response = post_json(
        client, "/api/password-reset/confirm", {"token": token, "password": "a brand new secret"}
    )
    assert response.status_code == 400, response.body
    after = users.load_record(user.id)
    assert after is not None
    assert after.password_hash == before.password_hash
    assert passwords.verify_password(after.password_hash, PASSWORD)


def test_the_genuine_token_passes_the_same_harness(client: Client) -> None:
    """The control: the harness does change the password when the token is real."""
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    response = post_json(
        client,
        "/api/password-reset/confirm",
        {"token": _valid(user), "password": "a brand new secret"},
    )
    assert response.status_code == 200
    record = users.load_record(user.id)
    assert record is not None
    assert passwords.verify_password(record.password_hash, "a brand new secret")


def _verify_claims(user: users.User, **overrides: Any) -> dict[str, Any]:
    defaults = {
        "reset_password": None,
        "sub": user.id,
        "aud": tokens.Purpose.VERIFY_EMAIL.audience,
        "eml": user.email,
    }
    return _claims(user, **{**defaults, **overrides})


def _expired_verify(user: users.User) -> str:
    with time_machine.travel(time.time() - 601, tick=False):
        return _verify(user)


VERIFY_FORGERIES: dict[str, Forge] = {
    "reset token": lambda u: _valid(u),
    "access token": lambda u: signed_in_token(u, tokens.Purpose.ACCESS),
    "session token": lambda u: signed_in_token(u, tokens.Purpose.SESSION),
    "alg none": lambda u: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_verify_claims(u))}.",
    "wrong key": lambda u: _sign(_verify_claims(u), secret=b"attacker-key-" * 4),
    "expired with the right key": _expired_verify,
    "no address claim": lambda u: _sign(_verify_claims(u, eml=None)),
    "address not a string": lambda u: _sign(_verify_claims(u, eml=["susan@example.com"])),
    "stale stamp": lambda u: _sign(_verify_claims(u, pwd="not-the-stamp")),
    "another user's id": lambda u: _sign(_verify_claims(u, sub="someone-else")),
    "truncated": lambda u: _verify(u)[:-5],
    "not a jwt": lambda u: "hello",
    "empty": lambda u: "",
}


@pytest.mark.parametrize("name", VERIFY_FORGERIES)
def test_forged_or_misused_verification_token_is_refused_and_changes_nothing(
    client: Client, name: str
) -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = VERIFY_FORGERIES[name](user)
    response = post_json(client, "/api/email-verification/confirm", {"token": token})
    assert response.status_code == 400, response.body
    # A missing token is a malformed request; any token we cannot honour is invalid_token.
    assert response.json_body["error"] == ("invalid_token" if token else "field_required")
    after = users.load_record(user.id)
    assert after is not None
    assert not after.email_verified


def test_the_genuine_verification_token_passes_the_same_harness(client: Client) -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    response = post_json(client, "/api/email-verification/confirm", {"token": _verify(user)})
    assert response.status_code == 200
    after = users.load_record(user.id)
    assert after is not None
    assert after.email_verified


def test_a_verification_token_is_no_bearer_token_and_no_session(client: Client) -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = _verify(user)
    me = client.http.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    home = client.http.get("/", headers={"Cookie": f"{SESSION_COOKIE}={token}"})
    assert home.status_code == 303
    assert home.headers["Location"].endswith("/login")
    reset_page = client.http.get(f"/reset_password/{token}")
    assert reset_page.status_code == 303
    assert reset_page.headers["Location"].endswith("/reset_password_request")
