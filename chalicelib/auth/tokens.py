"""Signed, purpose-bound, short-lived JWTs (HS256, PyJWT)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

import jwt

from chalicelib.auth.keys import Keyring, get_keyring
from chalicelib.errors import InvalidTokenError

ALGORITHM = "HS256"
MAX_TOKEN_LENGTH = 2048


class Purpose(Enum):
    """What a token may be used for; each has its own audience and subject claim."""

    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)
    ACCESS = "access"
    SESSION = "session"
    VERIFY_EMAIL = "verify_email"

    @property
    def audience(self) -> str:
        return f"microblog:{self.value}"

    @property
    def link_route(self) -> str | None:
        """The first path segment of the emailed link that carries this kind of token."""
        return _LINK_ROUTES.get(self)

    @property
    def subject_claim(self) -> str:
        # The reset token keeps the tutorial's claim name for the user id.
        return "reset_password" if self is Purpose.RESET_PASSWORD else "sub"

    @property
    def binds_address(self) -> bool:
        """Whether the token names the address it is about (claim `eml`), and needs one."""
        return self is Purpose.VERIFY_EMAIL


_LINK_ROUTES = {
    Purpose.RESET_PASSWORD: "reset_password",
    Purpose.VERIFY_EMAIL: "verify_email",
}
# Every route whose next path segment is a token: request logs scrub that segment.
LINK_ROUTES = tuple(_LINK_ROUTES.values())


@dataclass(frozen=True)
class Claims:
    """What a verified token tells us."""

    user_id: str
    fingerprint: str
    expires_at: int
    address: str | None = None


def issue(
    purpose: Purpose,
    user_id: str,
    fingerprint: str,
    ttl: int,
    keyring: Keyring | None = None,
    address: str | None = None,
) -> str:
    """Sign a token for `purpose`, bound to the account's current fingerprint.

    Purposes that bind an address carry it (`address`, required for them, refused otherwise).
    """
    if purpose.binds_address != (address is not None):
        raise ValueError(
            f"a {purpose.value} token {'needs' if purpose.binds_address else 'takes no'} address"
        )
    key = (keyring or get_keyring()).current
    now = int(time.time())
    payload: dict[str, str | int] = {
        purpose.subject_claim: user_id,
        "aud": purpose.audience,
        "pwd": fingerprint,
        "iat": now,
        "exp": now + ttl,
    }
    if address is not None:
        payload["eml"] = address
    return jwt.encode(payload, key.secret, algorithm=ALGORITHM, headers={"kid": key.kid})


def verify(purpose: Purpose, token: str, keyring: Keyring | None = None) -> Claims:
    """Return the claims of a valid token for `purpose`, or raise InvalidTokenError."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTokenError("malformed token", purpose.value)
    extra = ["eml"] if purpose.binds_address else []
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = (keyring or get_keyring()).find(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidTokenError("unknown signing key", purpose.value)
        payload = jwt.decode(
            token,
            key.secret,
            algorithms=[ALGORITHM],
            audience=purpose.audience,
            options={"require": ["exp", "iat", "aud", "pwd", purpose.subject_claim, *extra]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(type(exc).__name__, purpose.value) from None
    user_id, fingerprint = payload[purpose.subject_claim], payload["pwd"]
    address = payload.get("eml") if purpose.binds_address else None
    if not isinstance(user_id, str) or not isinstance(fingerprint, str):
        raise InvalidTokenError("malformed claims", purpose.value)
    if purpose.binds_address and not isinstance(address, str):
        raise InvalidTokenError("malformed claims", purpose.value)
    return Claims(
        user_id=user_id, fingerprint=fingerprint, expires_at=int(payload["exp"]), address=address
    )
