"""Accounts: registration, login, token-based identity, password changes."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib import notifications, passwords, throttle, tokens
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    InvalidTokenError,
    StaleWriteError,
    ValidationError,
)
from chalicelib.models import EMAIL_PREFIX, USER_PREFIX, USERNAME_PREFIX, Guard, UserRecord
from chalicelib.settings import get_settings

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,32}")
USERNAME_RULE = "Usernames are 3 to 32 characters: letters, digits, '.', '_' and '-'."
MAX_EMAIL_LENGTH = 254
LOGIN_SCOPE = "login"
LOGIN_FAILED = "Invalid username or password"
# Looked up when a guard names no user, so unknown and known users cost the same reads.
NO_USER_ID = "none"


@dataclass(frozen=True)
class User:
    """What the rest of the app may know about an account (never the hash)."""

    id: str
    username: str
    email: str
    fingerprint: str

    @classmethod
    def from_record(cls, record: UserRecord) -> User:
        return cls(
            id=record.user_id,
            username=record.username,
            email=record.email,
            fingerprint=passwords.fingerprint(record.password_hash),
        )


def normalize_email(raw: str) -> str:
    """A validated, normalised address; refuses display names, CR/LF and odd syntax."""
    if not raw or len(raw) > MAX_EMAIL_LENGTH:
        raise ValidationError("Please enter a valid email address.", "email")
    try:
        return validate_email(raw, check_deliverability=False, allow_display_name=False).normalized
    except EmailNotValidError:
        raise ValidationError("Please enter a valid email address.", "email") from None


def normalize_username(raw: str) -> str:
    """The username as typed, if it follows the documented character set and length."""
    if not USERNAME_PATTERN.fullmatch(raw):
        raise ValidationError(USERNAME_RULE, "username")
    return raw


def _email_key(email: str) -> str:
    return EMAIL_PREFIX + email.casefold()


def _username_key(username: str) -> str:
    return USERNAME_PREFIX + username.casefold()


def register(username: str, email: str, password: str) -> User:
    """Create an account; the username and the email are claimed in one transaction."""
    username = normalize_username(username)
    email = normalize_email(email)
    passwords.check_policy(password, username, email)
    now = int(time.time())
    user_id = str(uuid.uuid4())
    record = UserRecord(
        USER_PREFIX + user_id,
        user_id=user_id,
        username=username,
        email=email,
        password_hash=passwords.hash_password(password),
        created_at=now,
        password_changed_at=now,
    )
    guards = [
        Guard(_username_key(username), user_id=user_id),
        Guard(_email_key(email), user_id=user_id),
    ]
    connection = Connection(region=get_settings().region)
    try:
        with TransactWrite(connection=connection) as transaction:
            transaction.save(record, condition=UserRecord.pk.does_not_exist())
            for guard in guards:
                transaction.save(guard, condition=Guard.pk.does_not_exist())
    except TransactWriteError as exc:
        reasons = [r.code if r else None for r in exc.cancellation_reasons]
        if "ConditionalCheckFailed" not in reasons:
            raise
        if reasons[1] == "ConditionalCheckFailed":
            raise ConflictError("Please use a different username.", "username") from None
        raise ConflictError("Please use a different email address.", "email") from None
    return User.from_record(record)


def load_record(user_id: str) -> UserRecord | None:
    """The account with this id, read consistently, or None."""
    try:
        return UserRecord.get(USER_PREFIX + user_id, consistent_read=True)
    except UserRecord.DoesNotExist:
        return None


def _record_by_guard(key: str) -> UserRecord | None:
    try:
        user_id = Guard.get(key, consistent_read=True).user_id
    except Guard.DoesNotExist:
        user_id = NO_USER_ID
    return load_record(user_id)


def find_by_email(email: str) -> UserRecord | None:
    """The account registered with this (normalised) address, or None."""
    return _record_by_guard(_email_key(email))


def find_by_login(identifier: str) -> UserRecord | None:
    """The account for a username or an email address, or None."""
    key = _email_key(identifier) if "@" in identifier else _username_key(identifier)
    return _record_by_guard(key)


def authenticate(identifier: str, password: str) -> User:
    """The user whose credentials these are.

    Unknown users, wrong passwords and locked logins cost the same work (one counter
    update, two reads, one argon2 verification) and fail with the same error.
    """
    return User.from_record(_verified_record(identifier, password))


def _verified_record(identifier: str, password: str) -> UserRecord:
    settings = get_settings()
    name = identifier.strip().casefold()[:MAX_EMAIL_LENGTH]
    attempts = throttle.hit(LOGIN_SCOPE, name, settings.login_lock_seconds)
    record = find_by_login(name) if name else None
    locked = attempts > settings.login_max_failures
    candidate = passwords.DUMMY_HASH if record is None or locked else record.password_hash
    matched = passwords.verify_password(candidate, password[: passwords.MAX_LENGTH])
    if record is None or locked or not matched or len(password) > passwords.MAX_LENGTH:
        raise AuthenticationError(LOGIN_FAILED)
    throttle.clear(LOGIN_SCOPE, name, settings.login_lock_seconds)
    return record


def change_password(user: User, current_password: str, new_password: str) -> User:
    """A logged-in user's password change: the current password is checked like a login."""
    record = _verified_record(user.username, current_password)
    if record.user_id != user.id:
        raise AuthenticationError(LOGIN_FAILED)
    passwords.check_policy(new_password, record.username, record.email)
    try:
        changed = set_password(record, new_password)
    except StaleWriteError:
        raise AuthenticationError(LOGIN_FAILED) from None
    notifications.password_changed(changed)
    return changed


def issue_token(user: User, purpose: tokens.Purpose, ttl: int) -> str:
    """A token for `purpose` bound to the user's current password."""
    return tokens.issue(purpose, user.id, user.fingerprint, ttl)


def user_from_token(purpose: tokens.Purpose, token: str) -> User:
    """The user a valid access or session token names; voided by any password change."""
    try:
        claims = tokens.verify(purpose, token)
    except InvalidTokenError:
        raise AuthenticationError("invalid or expired token") from None
    record = load_record(claims.user_id)
    if record is None:
        raise AuthenticationError("invalid or expired token")
    user = User.from_record(record)
    if user.fingerprint != claims.fingerprint:
        raise AuthenticationError("invalid or expired token")
    return user


def set_password(record: UserRecord, new_password: str) -> User:
    """Store a new hash, only if the old one is still current (one writer wins)."""
    old_hash = record.password_hash
    try:
        record.update(
            actions=[
                UserRecord.password_hash.set(passwords.hash_password(new_password)),
                UserRecord.password_changed_at.set(int(time.time())),
            ],
            condition=UserRecord.password_hash == old_hash,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise StaleWriteError("the password changed meanwhile") from None
        raise
    return User.from_record(record)
