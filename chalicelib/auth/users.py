"""Who an account is: the User the rest of the app sees, addresses as typed and in canonical
form, security stamps, and the token -> account check (auth/guards.py finds accounts).

Kept apart from accounts.py (which changes accounts and sends notices) so that notifications
can name a User without importing the code that calls them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from base64 import urlsafe_b64encode
from dataclasses import dataclass

from pynamodb.expressions.condition import Condition

from chalicelib import addresses
from chalicelib.auth import tokens
from chalicelib.errors import (
    AlreadyConfirmedError,
    ErrorCode,
    InvalidTokenError,
    ValidationError,
)
from chalicelib.i18n import DEFAULT_LOCALE, N_, locale_or_default
from chalicelib.models import USER_PREFIX, UserRecord

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,32}")
USERNAME_RULE = N_("Usernames are 3 to 32 characters: letters, digits, '.', '_' and '-'.")
MAX_EMAIL_LENGTH = 254
INVALID_ADDRESS = N_("Please enter a valid email address.")
# 48 random bits (8 characters): a signed token only needs its stamp to differ from every
# earlier one of the account, and every character counts in an emailed link.
STAMP_BYTES = 6


@dataclass(frozen=True)
class User:
    """What the rest of the app may know about an account (never the hash)."""

    id: str
    username: str
    email: str
    stamp: str  # the security stamp every token of the account carries
    email_verified: bool = False
    locale: str = DEFAULT_LOCALE
    pending_email: str | None = None  # the address a live change link would move it to

    @classmethod
    def from_record(cls, record: UserRecord) -> User:
        live = record.pending_email and (record.pending_until or 0) > time.time()
        return cls(
            id=record.user_id,
            username=record.username,
            email=record.email,
            stamp=stamp_of(record),
            email_verified=bool(record.email_verified),
            locale=locale_or_default(record.locale),
            pending_email=record.pending_email if live else None,
        )


def new_stamp() -> str:
    """A fresh random security stamp: every change of password or address writes one, so the
    tokens issued before end, and no later change ever brings an old one back."""
    return urlsafe_b64encode(secrets.token_bytes(STAMP_BYTES)).decode()


def stamp_of(record: UserRecord) -> str:
    """The account's security stamp, which every token of the account carries.

    A record stored before stamps has none: its stamp reads as what tokens carried then (a
    digest of the password hash and the address), so those tokens live on until the first
    change of password or address writes a random one.
    """
    if record.security_stamp:
        return record.security_stamp
    before = f"{record.password_hash}\n{record.email.casefold()}"
    return urlsafe_b64encode(
        hashlib.sha256(b"microblog-pwd:" + before.encode()).digest()[:6]
    ).decode()


def unchanged(record: UserRecord) -> Condition:
    """A write's condition: the account's stamp is still the one `record` read (for a record
    stored before stamps: still none, with the same hash and address)."""
    same: Condition = (
        UserRecord.security_stamp == record.security_stamp
        if record.security_stamp
        else UserRecord.security_stamp.does_not_exist()
        & (UserRecord.password_hash == record.password_hash)
        & (UserRecord.email == record.email)
    )
    return same


def normalize_email(raw: str) -> str:
    """A validated, normalised address; refuses display names, CR/LF and odd syntax."""
    if not raw or len(raw) > MAX_EMAIL_LENGTH:
        raise ValidationError(INVALID_ADDRESS, "email", ErrorCode.EMAIL_INVALID)
    from email_validator import EmailNotValidError, validate_email  # when first needed

    try:
        return validate_email(raw, check_deliverability=False, allow_display_name=False).normalized
    except EmailNotValidError:
        raise ValidationError(INVALID_ADDRESS, "email", ErrorCode.EMAIL_INVALID) from None


def new_address(raw: str) -> str:
    """An address an account may be registered with or moved to.

    Mail providers (SES among them) cannot deliver to a non-ASCII local part, so such an
    address could never receive its verification or reset link: it is refused here with a
    clear message. A non-ASCII domain is fine: mail goes to its IDNA form.
    Raises ValidationError.
    """
    address = normalize_email(raw)
    if not address.rpartition("@")[0].isascii():
        raise ValidationError(
            N_(
                "The part before the @ must use ASCII letters, digits and punctuation only: "
                "we cannot deliver mail to other characters there."
            ),
            "email",
            ErrorCode.EMAIL_LOCAL_PART_NOT_ASCII,
        )
    return address


def canonical_address(raw: str) -> str:
    """The canonical form (chalicelib.addresses) of a typed address, once validated: what
    every guard, cap, suppression entry and lookup of an address is keyed by.
    Raises ValidationError for a malformed address."""
    return addresses.canonical(normalize_email(raw))


def address_of(record: UserRecord) -> str:
    """The account's address in canonical form (computed for records stored without it)."""
    return record.canonical_email or addresses.canonical(record.email)


def normalize_username(raw: str) -> str:
    """The username as typed, if it follows the documented character set and length."""
    if not USERNAME_PATTERN.fullmatch(raw):
        raise ValidationError(USERNAME_RULE, "username", ErrorCode.USERNAME_INVALID)
    return raw


def load_record(user_id: str) -> UserRecord | None:
    """The account with this id, read consistently, or None."""
    try:
        return UserRecord.get(USER_PREFIX + user_id, consistent_read=True)
    except UserRecord.DoesNotExist:
        return None


def _checked(purpose: tokens.Purpose, token: str) -> tuple[UserRecord, tokens.Claims]:
    claims = tokens.verify(purpose, token)
    return check_claims(purpose, claims, load_record(claims.user_id)), claims


def check_claims(
    purpose: tokens.Purpose, claims: tokens.Claims, record: UserRecord | None
) -> UserRecord:
    """check_token's account checks on claims already verified and the account read (or None):
    for a caller that reads the account along with something else (auth/sessions.py)."""
    if record is None:
        raise InvalidTokenError("no such user", purpose.value)
    if (
        claims.address is not None
        and addresses.canonical(claims.address) == address_of(record)
        and record.email_verified
    ):  # before the stamp: a confirmed change of address wrote a new one
        raise AlreadyConfirmedError("address already verified", purpose.value)
    if not hmac.compare_digest(stamp_of(record), claims.stamp):
        raise InvalidTokenError("token no longer current", purpose.value)
    return record


def check_token(purpose: tokens.Purpose, token: str) -> UserRecord:
    """The account a token for `purpose` names, while the token is still current.

    The one check for every kind of token: signature, audience and expiry (tokens.verify),
    then the account must exist and its security stamp must equal the token's (compared in
    constant time). A new password or a new address therefore voids every token issued
    before, used or not. A token bound to the account's own address dies once that address is
    verified (AlreadyConfirmedError, whatever the stamp). Raises InvalidTokenError (with the
    purpose) for any failure. A token that names a session is checked by auth/sessions.py,
    which adds the session's own check to this one.
    """
    if purpose.in_session:
        raise ValueError(f"a {purpose.value} token is checked with its session (auth/sessions)")
    return _checked(purpose, token)[0]


def check_address_token(purpose: tokens.Purpose, token: str) -> tuple[UserRecord, str, str | None]:
    """check_token for a purpose that binds an address: the account, that address, and the
    id of the change of address the token is for (None: it confirms the account's own)."""
    record, claims = _checked(purpose, token)
    if claims.address is None:
        raise InvalidTokenError("no address claim", purpose.value)
    return record, claims.address, claims.change


def issue_token(
    user: User,
    purpose: tokens.Purpose,
    ttl: int,
    address: str | None = None,
    change: str | None = None,
) -> str:
    """A token for `purpose` bound to the account's current stamp (and `address`, and the
    pending change of address it is for)."""
    return tokens.issue(purpose, user.id, user.stamp, ttl, address=address, change=change)


def user_for_token(purpose: tokens.Purpose, token: str) -> User:
    """The User behind a still-current token for `purpose` (check_token, as a User)."""
    return User.from_record(check_token(purpose, token))
