"""A change of address: asked for (the password proves the owner), pending, cancelled, done.

An account has at most one pending change, stored on it: the new address, a random change id
that the emailed link carries, and when that link expires. A new request replaces the pending
change, a cancel removes it, the change itself (and any new password or stamp) ends it: a link
whose change id is not the account's pending one is dead, so only the latest link works.
"""

from __future__ import annotations

import hmac
import secrets
import time
import uuid

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import addresses
from chalicelib.auth import accounts, activity, address_links, login, notifications
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.guards import email_key, guard_key_of, held_the_old_way
from chalicelib.auth.users import User, address_of, new_address, new_stamp, unchanged
from chalicelib.errors import AddressTakenError, AuthenticationError, InvalidTokenError
from chalicelib.i18n import N_
from chalicelib.logs import logger, mask_address
from chalicelib.models import (
    USER_PREFIX,
    Guard,
    UserRecord,
    condition_failed,
    failed_items,
    transaction_connection,
)
from chalicelib.settings import get_settings

SCOPE = "email-change"
PURPOSE_NAME = address_links.PURPOSE.value
CHANGE_ID_BYTES = 6  # 8 characters in the link; only the account's one pending id matters
CHANGES_THROTTLED = N_("You have asked to change your email address too often in the last hour.")
ADDRESS_TAKEN = N_(
    "That email address now belongs to another account, so your address was not changed."
)
PENDING = (UserRecord.pending_email, UserRecord.pending_change_id, UserRecord.pending_until)


def request_change(
    user: User, password: str, new_email: str, session: str, origin: Origin = Origin()
) -> None:
    """Make `new_email` the account's one pending change and mail it the link that completes it.

    The current password is proved for the session (login.prove_password: no lock strangers
    caused applies; its own wrong passwords count). An account may ask EMAIL_CHANGES_PER_HOUR
    times an hour (then RateLimitedError: the caller is signed in, so a 429 reveals nothing).
    Whether the new address is taken is not looked at here: a taken address takes the same
    path and the same answer, and its link fails when followed. The request replaces any
    earlier pending change (its link dies) even when the new address's cap for change links
    withholds this one. The old address, if verified, gets a notice; the account's events
    get `address_change_requested` (from `origin`).
    Raises ValidationError, AuthenticationError, SessionEndedError or RateLimitedError.
    """
    address = new_address(new_email)
    record = login.prove_password(user, password, session, origin)
    current = User.from_record(record)
    if addresses.canonical(address) == address_of(record):
        if not current.email_verified:
            address_links.send_own_link(current, str(uuid.uuid4()))
        return
    settings = get_settings()
    accounts.check_action_cap(SCOPE, current.id, settings.email_changes_per_hour, CHANGES_THROTTLED)
    change_id = secrets.token_urlsafe(CHANGE_ID_BYTES)
    until = int(time.time()) + settings.verify_token_ttl
    actions: list[Action] = [
        UserRecord.pending_email.set(address),
        UserRecord.pending_change_id.set(change_id),
        UserRecord.pending_until.set(until),
    ]
    try:
        record.update(actions=actions, condition=unchanged(record))
    except UpdateError as exc:
        if condition_failed(exc):  # a new password or address came first: this session ended
            raise AuthenticationError(login.LOGIN_FAILED) from None
        raise
    activity.record(current.id, EventKind.ADDRESS_CHANGE_REQUESTED, origin)
    address_links.send_change_link(current, address, change_id, str(uuid.uuid4()))
    notifications.email_change_requested(current, address)


def cancel_change(user: User, origin: Origin = Origin()) -> None:
    """Drop the account's pending change, if any: its link dies. Nothing to drop is no error,
    and records nothing; a dropped change is recorded (`address_change_cancelled`)."""
    record = UserRecord(USER_PREFIX + user.id)
    try:
        record.update(
            actions=[attribute.remove() for attribute in PENDING],
            # only while the account exists and has a change pending
            condition=(UserRecord.user_id == user.id)
            & ~UserRecord.pending_change_id.does_not_exist(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return
    activity.record(user.id, EventKind.ADDRESS_CHANGE_CANCELLED, origin)


def check_pending(record: UserRecord, address: str, change_id: str | None) -> None:
    """Refuse a change link that is not for the account's pending change (InvalidTokenError)."""
    pending_id, pending_address = record.pending_change_id or "", record.pending_email or ""
    if (
        change_id is None
        or not hmac.compare_digest(change_id.encode(), pending_id.encode())
        or addresses.canonical(address) != addresses.canonical(pending_address)
    ):
        raise InvalidTokenError("not the pending change", PURPOSE_NAME)


def switch(
    record: UserRecord, address: str, change_id: str | None, origin: Origin = Origin()
) -> User:
    """Complete the pending change: move the guard and the address in one transaction, verified
    at once, with a fresh stamp (every session and token of the account ends, for good).

    Conditional on the stamp and the pending change the link was checked against, so of
    concurrent confirmations one moves the account; its `address_changed` event (from
    `origin`) rides in the same transaction. Raises InvalidTokenError (not the pending
    change, or the account changed meanwhile) or AddressTakenError.
    """
    check_pending(record, address, change_id)
    if held_the_old_way(address, record.user_id):
        raise AddressTakenError(ADDRESS_TAKEN, "email")
    canonical, stamp = addresses.canonical(address), new_stamp()
    old_key, new_key = guard_key_of(record), email_key(canonical)
    ours = Guard.user_id == record.user_id
    event = activity.pending(record.user_id, EventKind.ADDRESS_CHANGED, origin)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            if old_key == new_key:  # an old key that is today's key of the new address
                transaction.save(Guard(new_key, user_id=record.user_id), condition=ours)
            else:
                transaction.delete(Guard(old_key), condition=ours)
                transaction.save(
                    Guard(new_key, user_id=record.user_id), condition=Guard.pk.does_not_exist()
                )
            transaction.update(
                record,
                actions=[
                    UserRecord.email.set(address),
                    UserRecord.canonical_email.set(canonical),
                    UserRecord.email_verified.set(True),
                    UserRecord.security_stamp.set(stamp),
                    *(attribute.remove() for attribute in PENDING),
                ],
                condition=unchanged(record) & (UserRecord.pending_change_id == change_id),
            )
            transaction.save(event)
    except TransactWriteError as exc:
        # PynamoDB sends deletes, then puts, then updates: the old guard, [the new guard,] the
        # event, the account
        failed = failed_items(exc)
        if failed & {0, len(exc.cancellation_reasons) - 1}:
            raise InvalidTokenError("the account changed meanwhile", PURPOSE_NAME) from None
        if failed:
            raise AddressTakenError(ADDRESS_TAKEN, "email") from None
        raise
    logger.info("address changed", user_id=record.user_id, to=mask_address(address))
    activity.logged(event)
    before = User.from_record(record)
    record.email, record.canonical_email, record.email_verified = address, canonical, True
    record.security_stamp = stamp
    record.pending_email = record.pending_change_id = record.pending_until = None
    notifications.email_changed(before, address)
    return User.from_record(record)
