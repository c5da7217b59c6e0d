"""Accounts: registration, login, and the one way a password is replaced (reset and change)."""

from __future__ import annotations

import time
import uuid

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.auth import notifications, passwords, throttle, verification
from chalicelib.auth.users import (
    MAX_EMAIL_LENGTH,
    User,
    email_key,
    find_by_login,
    new_address,
    normalize_username,
    username_key,
)
from chalicelib.errors import AuthenticationError, ConflictError, StaleWriteError
from chalicelib.models import USER_PREFIX, Guard, UserRecord
from chalicelib.settings import get_settings

LOGIN_SCOPE = "login"
CHANGE_SCOPE = "email-change"
HOUR = 3600
LOGIN_FAILED = "Invalid username or password"


def register(username: str, email: str, password: str) -> User:
    """Create an account; the username and the email are claimed in one transaction.

    The address starts unverified and is mailed a verification link (the email's id derives
    from the account's, so it is queued once per account).
    Raises ValidationError (input or password policy) or ConflictError (name or address taken).
    """
    username = normalize_username(username)
    email = new_address(email)
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
        email_verified=False,
    )
    guards = [
        Guard(username_key(username), user_id=user_id),
        Guard(email_key(email), user_id=user_id),
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
    user = User.from_record(record)
    verification.send_link(
        user, user.email, str(uuid.uuid5(uuid.NAMESPACE_URL, f"verify:{user_id}"))
    )
    return user


def authenticate(identifier: str, password: str) -> User:
    """The user whose credentials these are.

    Unknown users, wrong passwords and locked logins cost the same work (one counter
    update, two reads, one argon2 verification) and fail with the same AuthenticationError.
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
    """A logged-in user's password change: the current password is checked like a login.

    Raises AuthenticationError (wrong current password, or another change won the race)
    or PasswordPolicyError.
    """
    record = _verified_record(user.username, current_password)
    if record.user_id != user.id:
        raise AuthenticationError(LOGIN_FAILED)
    try:
        return replace_password(record, new_password)
    except StaleWriteError:
        raise AuthenticationError(LOGIN_FAILED) from None


def replace_password(record: UserRecord, new_password: str, proves_address: bool = False) -> User:
    """The one way a password is replaced, for a reset and a change alike.

    Checks the policy, stores the new hash only if the old one and the address are still
    current (one writer wins), which changes the fingerprint every token carries, so every
    session, access token and reset link issued before ends; then tells the owner by email.
    `proves_address`: the request came through a link mailed to the address (a reset), so
    the same write marks the address verified.
    Raises PasswordPolicyError, or StaleWriteError when another change came first.
    """
    passwords.check_policy(new_password, record.username, record.email)
    old_hash = record.password_hash
    actions: list[Action] = [
        UserRecord.password_hash.set(passwords.hash_password(new_password)),
        UserRecord.password_changed_at.set(int(time.time())),
    ]
    if proves_address:
        actions.append(UserRecord.email_verified.set(True))
    try:
        record.update(
            actions=actions,
            condition=(UserRecord.password_hash == old_hash) & (UserRecord.email == record.email),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise StaleWriteError("the password changed meanwhile") from None
        raise
    user = User.from_record(record)
    notifications.password_changed(user)
    return user


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Mail a link to `new_email` that moves the account there once followed.

    The current password is checked like a login; an account gets VERIFY_EMAILS_PER_HOUR
    change requests an hour (more are answered alike and send nothing). Whether the new
    address is taken is not looked at here: a taken address takes the same path and the same
    answer, and the link fails when followed (verification.confirm). The old address, if
    verified, gets a notice.
    Raises ValidationError (malformed or non-ASCII local part) or AuthenticationError.
    """
    address = new_address(new_email)
    record = _verified_record(user.username, password)
    if record.user_id != user.id:
        raise AuthenticationError(LOGIN_FAILED)
    current = User.from_record(record)
    if address.casefold() == current.email.casefold():
        if not current.email_verified:
            verification.send_link(current, current.email, str(uuid.uuid4()))
        return
    # One account may not spray links at many addresses: its requests are capped too
    # (checked before the new address's own cap, which a dropped request does not spend).
    settings = get_settings()
    if throttle.hit(CHANGE_SCOPE, current.id, HOUR) > settings.verify_emails_per_hour:
        return
    verification.send_link(current, address, str(uuid.uuid4()))
    notifications.email_change_requested(current, address)


def request_verification(user: User) -> None:
    """Mail a new verification link to the account's own, still unverified, address."""
    if not user.email_verified:
        verification.send_link(user, user.email, str(uuid.uuid4()))
