"""Accounts: registration, login, changes of password, the breach response's voided passwords,
and the hourly caps on what a signed-in account may do. Every write of a password writes a
fresh security stamp (auth/email_change.py changes addresses)."""

from __future__ import annotations

import time
import uuid

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import addresses
from chalicelib.activity_models import EventRecord
from chalicelib.auth import (
    activity,
    address_links,
    devices,
    login,
    notifications,
    passwords,
    throttle,
)
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.guards import email_key, held_the_old_way, username_key
from chalicelib.auth.login import LOGIN_FAILED as LOGIN_FAILED  # what pages say to it
from chalicelib.auth.users import User, new_address, new_stamp, normalize_username, unchanged
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    ErrorCode,
    RateLimitedError,
    StaleWriteError,
)
from chalicelib.i18n import DEFAULT_LOCALE, N_, locale_or_default
from chalicelib.models import (
    USER_PREFIX,
    Guard,
    UserRecord,
    condition_failed,
    failed_items,
    retry_conflicts,
    transaction_connection,
)
from chalicelib.settings import HOUR, get_settings

PASSWORD_SCOPE = "password-change"  # noqa: S105 (a counter's name)
REGISTER_CLIENT_SCOPE = "register-client"
REGISTRATIONS_THROTTLED = N_("Too many registrations from your network.")
PASSWORD_CHANGES_THROTTLED = N_("You have changed your password too often in the last hour.")
NAME_TAKEN = N_("Please use a different username.")
ADDRESS_TAKEN = N_("Please use a different email address.")


def check_action_cap(scope: str, subject: str, per_hour: int, message: str) -> None:
    """Count one action of `scope` by `subject` this hour; over `per_hour`, RateLimitedError
    with `message` and the seconds until the window ends."""
    if throttle.exceeded(scope, subject, HOUR, per_hour):
        retry_after = max(1, throttle.window_end(HOUR) - int(time.time()))
        raise RateLimitedError(message, retry_after)


def _check_registration_cap(client: str | None) -> None:
    if client is not None:
        cap = get_settings().registrations_per_ip
        check_action_cap(REGISTER_CLIENT_SCOPE, client, cap, REGISTRATIONS_THROTTLED)


def register(
    username: str,
    email: str,
    password: str,
    client: str | None = None,
    locale: str = DEFAULT_LOCALE,
    origin: Origin = Origin(),
) -> User:
    """Create an account; the username and the email are claimed in one transaction, with
    its `registered` event (from `origin`).

    The cheap checks (input, policy, the per-client cap when `client` is given) come before
    the argon2 hash, so a flood of refused registrations costs no hashing. The address starts
    unverified and is mailed a verification link (the email's id derives from the account's,
    so it is queued once per account), in `locale`: the language of its pages and emails.
    The address is stored as typed (normalised) and its guard keyed by its canonical form.
    Raises ValidationError (input or password policy), RateLimitedError (per-client cap) or
    ConflictError (name or address taken, or the write lost a race).
    """
    username = normalize_username(username)
    email = new_address(email)
    canonical = addresses.canonical(email)
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
        locale=locale_or_default(locale),
        security_stamp=new_stamp(),
        canonical_email=canonical,
    )
    guards = [
        Guard(username_key(username), user_id=user_id),
        Guard(email_key(canonical), user_id=user_id),
    ]
    if held_the_old_way(canonical, user_id):
        raise ConflictError(ADDRESS_TAKEN, "email")
    event = activity.pending(user_id, EventKind.REGISTERED, origin)
    try:
        retry_conflicts(lambda: _claim(record, guards, event))
    except TransactWriteError as exc:
        failed = failed_items(exc)  # the account, the name's guard, the address's guard
        if 1 in failed:
            raise ConflictError(NAME_TAKEN, "username", ErrorCode.USERNAME_TAKEN) from None
        if failed:
            raise ConflictError(ADDRESS_TAKEN, "email", ErrorCode.EMAIL_TAKEN) from None
        raise
    except StaleWriteError:  # conflicts all along: answered as the side that lost the race
        raise ConflictError(NAME_TAKEN, "username", ErrorCode.USERNAME_TAKEN) from None
    activity.logged(event)
    user = User.from_record(record)
    address_links.send_own_link(user, str(uuid.uuid5(uuid.NAMESPACE_URL, f"verify:{user_id}")))
    return user


def _claim(record: UserRecord, guards: list[Guard], event: EventRecord) -> None:
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(record, condition=UserRecord.pk.does_not_exist())
        for guard in guards:
            transaction.save(guard, condition=Guard.pk.does_not_exist())
        transaction.save(event)  # put last: failed_items' positions above stay as they are


def authenticate(
    identifier: str,
    password: str,
    client: str | None = None,
    device_token: str = "",
    origin: Origin = Origin(),
) -> User:
    """The user whose credentials these are (login.check_password: the same work and the same
    AuthenticationError for unknown users, wrong passwords and locked logins; an existing
    account's failures recorded from `origin`). A device token of the account lets its
    holder past the lock strangers caused; any other is ignored."""
    device = devices.read(device_token)
    return User.from_record(login.check_password(identifier, password, client, device, origin))


def change_password(
    user: User, current_password: str, new_password: str, session: str, origin: Origin = Origin()
) -> User:
    """A signed-in user's password change: the current password is proved for the session
    (login.prove_password: no lock strangers caused applies; its own wrong passwords count).

    An account may change its password PASSWORD_CHANGES_PER_HOUR times an hour (counted once
    the current password is proved and the new one passes the policy), so the notice every
    change gets cannot be turned into a flood. Raises AuthenticationError (wrong current
    password, or another change won the race), SessionEndedError, PasswordPolicyError or
    RateLimitedError.
    """
    record = login.prove_password(user, current_password, session, origin)
    passwords.check_policy(new_password, record.username, record.email)
    cap = get_settings().password_changes_per_hour
    check_action_cap(PASSWORD_SCOPE, user.id, cap, PASSWORD_CHANGES_THROTTLED)
    try:
        return replace_password(record, new_password, origin=origin)
    except StaleWriteError:
        raise AuthenticationError(LOGIN_FAILED) from None


def replace_password(
    record: UserRecord, new_password: str, proves_address: bool = False, origin: Origin = Origin()
) -> User:
    """The one way a password is replaced, for a reset and a change alike, recorded from
    `origin` as `reset_completed` (proves_address) or `password_changed`.

    Checks the policy, stores the new hash and a fresh stamp only if the stamp is still the
    one `record` read (one writer wins), so every session, access token and link issued
    before ends (a pending change of address with them); then tells the owner by email.
    `proves_address`: the request came through a link mailed to the address (a reset), so
    the same write marks the address verified.
    Raises PasswordPolicyError, or StaleWriteError when another change came first.
    """
    passwords.check_policy(new_password, record.username, record.email)
    actions = _new_password(passwords.hash_password(new_password))
    if proves_address:
        actions.append(UserRecord.email_verified.set(True))
    condition = unchanged(record)
    try:
        retry_conflicts(lambda: record.update(actions=actions, condition=condition))
    except UpdateError as exc:
        if condition_failed(exc):
            raise StaleWriteError("the password changed meanwhile") from None
        raise
    kind = EventKind.RESET_COMPLETED if proves_address else EventKind.PASSWORD_CHANGED
    activity.record(record.user_id, kind, origin)  # one UpdateItem above: no transaction
    login.lift_lock(record.user_id, origin)
    user = User.from_record(record)
    notifications.password_changed(user)
    return user


def void_password(user_id: str, origin: Origin = Origin(client="operator")) -> User | None:
    """The breach response's write: no password logs in any more (an unusable hash, so a login
    fails like any other until a reset), and a fresh stamp ends every session, access token
    and link. Returns the account as now stored, or None when it is gone.

    Its `forced_reset` event follows the write (a PutItem): a transaction returns no item,
    and the caller needs the address the write leaves to mail its reset link."""
    record = UserRecord(USER_PREFIX + user_id)
    try:
        record.update(  # only while the account exists (as preferences.set_locale writes)
            actions=voided_password(),
            condition=UserRecord.user_id == user_id,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    activity.record(user_id, EventKind.FORCED_RESET, origin)
    return User.from_record(record)


def voided_password() -> list[Action]:
    """void_password's actions, for a write that does more in one transaction ("this wasn't
    me", auth/not_me.py)."""
    return _new_password(passwords.unusable_hash())


def _new_password(password_hash: str) -> list[Action]:
    """The actions of every password write: the hash, when, a fresh stamp, and no pending
    change of address (its link carried the old stamp)."""
    return [
        UserRecord.password_hash.set(password_hash),
        UserRecord.password_changed_at.set(int(time.time())),
        UserRecord.security_stamp.set(new_stamp()),
        UserRecord.pending_email.remove(),
        UserRecord.pending_change_id.remove(),
        UserRecord.pending_until.remove(),
    ]
