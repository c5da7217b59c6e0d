"""Accounts: registration, login, and the one way a password is replaced (reset and change)."""

from __future__ import annotations

import time
import uuid

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import metrics
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
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    RateLimitedError,
    StaleWriteError,
)
from chalicelib.i18n import DEFAULT_LOCALE, N_, supported
from chalicelib.models import USER_PREFIX, Guard, UserRecord, transaction_connection
from chalicelib.settings import get_settings

LOGIN_SCOPE = "login"
CHANGE_SCOPE = "email-change"
LOGIN_CLIENT_SCOPE = "login-client"
REGISTER_CLIENT_SCOPE = "register-client"
# Said to every failed login alike: an account a breach response reset has no usable password,
# and its owner must hear where the new one comes from without the answer revealing it.
LOGIN_FAILED = N_(
    "Invalid username or password. If we asked you to reset your password, "
    "check your email for the link."
)
REGISTRATIONS_THROTTLED = N_("Too many registrations from your network. Please try again later.")
NAME_TAKEN = N_("Please use a different username.")
ADDRESS_TAKEN = N_("Please use a different email address.")
HOUR = 3600
# Real DynamoDB cancels a write that meets another transaction on the same item; we retry a
# few times, then answer as the side that lost the race.
WRITE_ATTEMPTS = 3
TRANSACTION_CONFLICT = "TransactionConflict"


def _check_registration_cap(client: str | None) -> None:
    if client is None:
        return
    if throttle.exceeded(REGISTER_CLIENT_SCOPE, client, HOUR, get_settings().registrations_per_ip):
        retry_after = max(1, throttle.window_end(HOUR) - int(time.time()))
        raise RateLimitedError(REGISTRATIONS_THROTTLED, retry_after)


def register(
    username: str,
    email: str,
    password: str,
    client: str | None = None,
    locale: str = DEFAULT_LOCALE,
) -> User:
    """Create an account; the username and the email are claimed in one transaction.

    The cheap checks (input, policy, the per-client cap when `client` is given) come before
    the argon2 hash, so a flood of refused registrations costs no hashing. The address starts
    unverified and is mailed a verification link (the email's id derives from the account's,
    so it is queued once per account), in `locale`: the language of its pages and emails.
    Raises ValidationError (input or password policy), RateLimitedError (per-client cap) or
    ConflictError (name or address taken, or the write lost a race).
    """
    username = normalize_username(username)
    email = new_address(email)
    passwords.check_policy(password, username, email)
    _check_registration_cap(client)
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
        locale=supported(locale) or DEFAULT_LOCALE,
    )
    guards = [
        Guard(username_key(username), user_id=user_id),
        Guard(email_key(email), user_id=user_id),
    ]
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            _claim(record, guards)
        except TransactWriteError as exc:
            reasons = [r.code if r else None for r in exc.cancellation_reasons]
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                raise ConflictError(NAME_TAKEN, "username") from None
            if "ConditionalCheckFailed" in reasons:
                raise ConflictError(ADDRESS_TAKEN, "email") from None
            if TRANSACTION_CONFLICT not in reasons:
                raise
            if attempt == WRITE_ATTEMPTS:
                raise ConflictError(NAME_TAKEN, "username") from None
        else:
            break
    user = User.from_record(record)
    verification.send_link(
        user, user.email, str(uuid.uuid5(uuid.NAMESPACE_URL, f"verify:{user_id}"))
    )
    return user


def _claim(record: UserRecord, guards: list[Guard]) -> None:
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(record, condition=UserRecord.pk.does_not_exist())
        for guard in guards:
            transaction.save(guard, condition=Guard.pk.does_not_exist())


def authenticate(identifier: str, password: str, client: str | None = None) -> User:
    """The user whose credentials these are.

    Unknown users, wrong passwords and locked logins cost the same work (two reads, one
    counter update per account or unknown name, one per client when `client` is given, one
    argon2 verification) and fail with the same AuthenticationError.
    """
    return User.from_record(_verified_record(identifier, password, client))


def login_subject(user_id: str) -> str:
    """What an account's failed logins are counted under: by username and email alike."""
    return f"user:{user_id}"


def _verified_record(identifier: str, password: str, client: str | None) -> UserRecord:
    settings = get_settings()
    name = identifier.strip().casefold()[:MAX_EMAIL_LENGTH]
    record = find_by_login(name) if name else None
    subject = login_subject(record.user_id) if record else f"name:{name}"
    # The lock lasts LOGIN_LOCK_SECONDS after the latest failure (a sliding counter).
    attempts = throttle.hit_sliding(LOGIN_SCOPE, subject, settings.login_lock_seconds)
    locked = attempts > settings.login_max_failures
    if attempts == settings.login_max_failures + 1:
        metrics.note(metrics.Metric.LOCK_IMPOSED)
    if client is not None:
        locked |= throttle.exceeded(LOGIN_CLIENT_SCOPE, client, HOUR, settings.logins_per_ip)
    candidate = passwords.DUMMY_HASH if record is None or locked else record.password_hash
    matched = passwords.verify_password(candidate, password[: passwords.MAX_LENGTH])
    if record is None or locked or not matched or len(password) > passwords.MAX_LENGTH:
        metrics.note(metrics.Metric.LOGIN_FAILED)
        raise AuthenticationError(LOGIN_FAILED)
    throttle.clear_sliding(LOGIN_SCOPE, subject)
    if client is not None:
        throttle.hit(LOGIN_CLIENT_SCOPE, client, HOUR, amount=-1)  # the cap counts failures
    return record


def change_password(user: User, current_password: str, new_password: str) -> User:
    """A logged-in user's password change: the current password is checked like a login.

    Raises AuthenticationError (wrong current password, or another change won the race)
    or PasswordPolicyError.
    """
    record = _verified_record(user.username, current_password, None)
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
    condition = (UserRecord.password_hash == old_hash) & (UserRecord.email == record.email)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            record.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise StaleWriteError("the password changed meanwhile") from None
            if exc.cause_response_code != TRANSACTION_CONFLICT + "Exception":
                raise
            if attempt == WRITE_ATTEMPTS:
                raise StaleWriteError("another write kept conflicting") from None
        else:
            break
    # The owner has just proved the password or the mailbox: lift any login lock.
    throttle.clear_sliding(LOGIN_SCOPE, login_subject(record.user_id))
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
    record = _verified_record(user.username, password, None)
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
    if throttle.exceeded(CHANGE_SCOPE, current.id, HOUR, settings.verify_emails_per_hour):
        return
    verification.send_link(current, address, str(uuid.uuid4()))
    notifications.email_change_requested(current, address)


def request_verification(user: User) -> None:
    """Mail a new verification link to the account's own, still unverified, address."""
    if not user.email_verified:
        verification.send_link(user, user.email, str(uuid.uuid4()))
