"""Signed, purpose-bound, short-lived JWTs (HS256, PyJWT), small enough for an emailed link.

A reset link is at most 220 characters on a base URL like http://127.0.0.1:8000: the token
carries only what it needs. No `iat` and no `kid` (the keyring has two keys at most, so
verification tries the current one, then the previous); a one-letter audience per purpose;
the user id as 22 base64url characters instead of a 36-character UUID; the account's
8-character security stamp (tests/auth/test_tokens.py measures the link). Tokens never mailed
carry more: session and access tokens a random `jti` (no two sign-ins share a token) and their
session's id, refresh tokens their session and refresh ids (auth/sessions.py, auth/refresh.py),
device tokens their device id and address digest (auth/devices.py). A notice's "this wasn't me"
link carries a `jti` too: it is spent once by that id (auth/not_me.py).
"""

from __future__ import annotations

import binascii
import secrets
import time
import uuid
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import jwt

from chalicelib.auth.keys import get_keyring
from chalicelib.errors import InvalidTokenError

ALGORITHM = "HS256"
# The security stamp's claim keeps the name it had when it held a digest of the password,
# so tokens issued before stamps still verify.
STAMP_CLAIM = "pwd"
CHANGE_CLAIM = "chg"  # a change-of-address link: the id of the account's pending change
MAX_TOKEN_LENGTH = 2048
JTI_BYTES = 12


class Purpose(Enum):
    """What a token may be used for; each has its own audience and subject claim."""

    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)
    ACCESS = "access"
    SESSION = "session"
    VERIFY_EMAIL = "verify_email"
    DEVICE = "device"  # a browser or API client its account trusts (auth/devices.py)
    # A security notice's "this wasn't me" link (auth/not_me.py): bound to the address the
    # notice went to, not to the stamp (an intruder's later change must not void it), and
    # spent once by its `jti`.
    SECURE_ACCOUNT = "secure_account"
    REFRESH = "refresh"  # an API session's next access token (auth/refresh.py)

    @property
    def audience(self) -> str:
        """Its own `aud`, one letter long: every character counts in an emailed link."""
        return _AUDIENCES[self]

    @property
    def subject_claim(self) -> str:
        # The reset token keeps the tutorial's claim name for the user id.
        return "reset_password" if self is Purpose.RESET_PASSWORD else "sub"

    @property
    def binds_address(self) -> bool:
        """Whether the token names the address it is about (claim `eml`), and needs one."""
        return self in (Purpose.VERIFY_EMAIL, Purpose.SECURE_ACCOUNT)

    @property
    def unique(self) -> bool:
        """Whether each token carries a random id (`jti`), so that no two sign-ins share a
        token even within one second: a signed-in session is known by its token."""
        return self in (Purpose.SESSION, Purpose.ACCESS, Purpose.SECURE_ACCOUNT)

    @property
    def in_session(self) -> bool:
        """Whether the token names a stored session (`sid`), which must still exist for the
        token to be good (auth/sessions.py checks it, never users.check_token alone)."""
        return "sid" in self.own_claims

    @property
    def own_claims(self) -> tuple[str, ...]:
        """The string claims of its own a token for this purpose carries (all required)."""
        return _OWN_CLAIMS.get(self, ())


_AUDIENCES = {
    Purpose.RESET_PASSWORD: "r",
    Purpose.ACCESS: "a",
    Purpose.SESSION: "s",
    Purpose.VERIFY_EMAIL: "v",
    Purpose.DEVICE: "d",
    Purpose.SECURE_ACCOUNT: "o",
    Purpose.REFRESH: "f",
}
# A device token names its device and a keyed digest of the address it vouches for; a
# session cookie and an access token their session (auth/sessions.py), which ends them all
# at once; a refresh token its session and which of its refresh tokens it is (single use).
# A "this wasn't me" link says what it undoes: "m" is "c" (a change of address was only
# asked for: cancel it) or "s" (secure the account).
_OWN_CLAIMS = {
    Purpose.DEVICE: ("dev", "adr"),
    Purpose.SESSION: ("sid",),
    Purpose.ACCESS: ("sid",),
    Purpose.REFRESH: ("sid", "rid"),
    Purpose.SECURE_ACCOUNT: ("m",),
}


def compact_id(user_id: str) -> str:
    """A UUID as 22 base64url characters (any other id as it is)."""
    try:
        raw = uuid.UUID(user_id).bytes
    except ValueError:
        return user_id
    return urlsafe_b64encode(raw).decode().rstrip("=")


def expand_id(value: str) -> str:
    """The inverse of compact_id."""
    if len(value) != 22:
        return value
    try:
        return str(uuid.UUID(bytes=urlsafe_b64decode(value + "==")))
    except (ValueError, binascii.Error):
        return value


@dataclass(frozen=True)
class Claims:
    """What a verified token tells us."""

    user_id: str
    stamp: str
    expires_at: int
    address: str | None = None
    change: str | None = None
    own: dict[str, str] = field(default_factory=dict)  # the purpose's own_claims
    jti: str | None = None  # the random id of a unique token


def issue(
    purpose: Purpose,
    user_id: str,
    stamp: str,
    ttl: int,
    address: str | None = None,
    change: str | None = None,
    own: dict[str, str] | None = None,
) -> str:
    """Sign a token for `purpose`, bound to the account's current security stamp.

    Purposes that bind an address carry it (`address`, required for them, refused otherwise),
    and a link that changes the address carries the id of that pending change (`change`);
    purposes with claims of their own carry exactly those (`own`).
    """
    if purpose.binds_address != (address is not None):
        raise ValueError(
            f"a {purpose.value} token {'needs' if purpose.binds_address else 'takes no'} address"
        )
    if change is not None and not purpose.binds_address:
        raise ValueError(f"a {purpose.value} token takes no change id")
    own = own or {}
    if set(own) != set(purpose.own_claims):
        raise ValueError(f"a {purpose.value} token carries {purpose.own_claims or 'no claims'}")
    key = get_keyring().current
    payload: dict[str, str | int] = {
        purpose.subject_claim: compact_id(user_id),
        "aud": purpose.audience,
        STAMP_CLAIM: stamp,
        "exp": int(time.time()) + ttl,
    }
    if address is not None:
        payload["eml"] = address
    if change is not None:
        payload[CHANGE_CLAIM] = change
    payload.update(own)
    if purpose.unique:
        payload["jti"] = urlsafe_b64encode(secrets.token_bytes(JTI_BYTES)).decode()
    # No "typ" either: the header is {"alg":"HS256"}, and the algorithm is pinned on decode.
    return jwt.encode(payload, key.secret, algorithm=ALGORITHM, headers={"typ": None})


def verify(purpose: Purpose, token: str) -> Claims:
    """Return the claims of a valid token for `purpose`, or raise InvalidTokenError."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTokenError("malformed token", purpose.value)
    extra = (["eml"] if purpose.binds_address else []) + list(purpose.own_claims)
    payload: dict[str, Any] | None = None
    for key in get_keyring().accepted:  # no kid: at most two keys to try
        try:
            payload = jwt.decode(
                token,
                key.secret,
                algorithms=[ALGORITHM],
                audience=purpose.audience,
                options={"require": ["exp", "aud", STAMP_CLAIM, purpose.subject_claim, *extra]},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(type(exc).__name__, purpose.value) from None
    if payload is None:
        raise InvalidTokenError("InvalidSignatureError", purpose.value)
    user_id, stamp = payload[purpose.subject_claim], payload[STAMP_CLAIM]
    address = payload.get("eml") if purpose.binds_address else None
    change = payload.get(CHANGE_CLAIM) if purpose.binds_address else None
    if not isinstance(user_id, str) or not isinstance(stamp, str):
        raise InvalidTokenError("malformed claims", purpose.value)
    if purpose.binds_address and not isinstance(address, str):
        raise InvalidTokenError("malformed claims", purpose.value)
    if change is not None and not isinstance(change, str):
        raise InvalidTokenError("malformed claims", purpose.value)
    own = {name: payload[name] for name in purpose.own_claims}
    if not all(isinstance(value, str) for value in own.values()):
        raise InvalidTokenError("malformed claims", purpose.value)
    jti = payload.get("jti")  # tokens issued before their purpose was unique have none
    if jti is not None and not isinstance(jti, str):
        raise InvalidTokenError("malformed claims", purpose.value)
    return Claims(
        user_id=expand_id(user_id),
        stamp=stamp,
        expires_at=int(payload["exp"]),
        address=address,
        change=change,
        own=own,
        jti=jti,
    )
