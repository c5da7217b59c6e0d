"""Trusted devices (OWASP's "device cookies"): a browser or API client that has proved itself.

A successful login, a completed reset, a confirmed address or a password change makes the
client a trusted device of the account: it holds a signed device token (its own audience,
`DEVICE_TTL_DAYS`) that names the account, its security stamp, a random device id, and a keyed
digest of the account's address if that address was verified when it was issued.

Nothing is stored: a token is checked without a read. Login checks it against the account it
reads anyway (same id, same stamp: a new password or address, or a forced reset, ends it); a
reset request checks only the address digest against the address typed (the request path
reads nothing). A token of another account, expired, forged or malformed is no device at all:
`read` answers None and the caller goes on as for anyone else, so answers never differ.
"""

from __future__ import annotations

import hmac
import secrets
from base64 import urlsafe_b64encode
from dataclasses import dataclass

from chalicelib import addresses
from chalicelib.auth import tokens
from chalicelib.auth.keys import SigningKey, get_keyring
from chalicelib.auth.users import User, stamp_of
from chalicelib.errors import InvalidTokenError
from chalicelib.models import UserRecord
from chalicelib.settings import get_settings

PURPOSE = tokens.Purpose.DEVICE
ADDRESS_KEY_LABEL = "device-address"
DEVICE_ID_BYTES = 16
DIGEST_BYTES = 16


def _address_digest(key: SigningKey, address: str) -> str:
    """A keyed digest of an address's uniqueness key (so every spelling of it matches)."""
    message = addresses.canonical(address).encode("utf-8", "backslashreplace")
    digest = hmac.new(key.derived(ADDRESS_KEY_LABEL), message, "sha256").digest()
    return urlsafe_b64encode(digest[:DIGEST_BYTES]).decode().rstrip("=")


@dataclass(frozen=True)
class Device:
    """A verified device token: whose device it is and what it vouches for."""

    user_id: str
    device_id: str
    stamp: str
    address_digest: str  # '' when the address was unverified at issue: no reset trust

    @property
    def subject(self) -> str:
        """What the device's own counters count (throttle subjects are hashed anyway)."""
        return f"{self.user_id}:{self.device_id}"

    def belongs_to(self, record: UserRecord) -> bool:
        """Whether this is a device of that account as it is now (same id, same stamp)."""
        return self.user_id == record.user_id and hmac.compare_digest(
            self.stamp.encode("utf-8", "backslashreplace"),
            stamp_of(record).encode("utf-8", "backslashreplace"),
        )

    def vouches_for(self, address: str) -> bool:
        """Whether it was issued for an account whose verified address is `address` (any key
        still accepted may have made the digest)."""
        if not self.address_digest:
            return False
        claimed = self.address_digest.encode("utf-8", "backslashreplace")
        return any(
            hmac.compare_digest(_address_digest(key, address).encode(), claimed)
            for key in get_keyring().accepted
        )


def issue(user: User, keep: Device | None = None) -> str:
    """A device token for `user`'s client: a new device, or the same one again (`keep`, when
    it is a device of this account) with a fresh lifetime, stamp and address digest."""
    if keep is not None and keep.user_id == user.id:
        device_id = keep.device_id
    else:
        device_id = urlsafe_b64encode(secrets.token_bytes(DEVICE_ID_BYTES)).decode().rstrip("=")
    digest = _address_digest(get_keyring().current, user.email) if user.email_verified else ""
    return tokens.issue(
        PURPOSE,
        user.id,
        user.stamp,
        get_settings().device_ttl,
        own={"dev": device_id, "adr": digest},
    )


def read(token: str) -> Device | None:
    """The device a token names, if it is a valid device token (None for anything else)."""
    if not token:
        return None
    try:
        claims = tokens.verify(PURPOSE, token)
    except InvalidTokenError:
        return None
    return Device(
        user_id=claims.user_id,
        device_id=claims.own["dev"],
        stamp=claims.stamp,
        address_digest=claims.own["adr"],
    )
