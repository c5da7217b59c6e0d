"""Email ownership: following a link that confirms an address, and sending the owner a new one.

A verification token binds the address it confirms (claim `eml`) and the account's security
stamp, which every change of address or password replaces. A link for the account's own
address dies once that address is verified; a link to another address is a change of address
(auth/email_change.py), alive only while it is the account's pending change.
"""

from __future__ import annotations

import uuid

from pynamodb.exceptions import UpdateError

from chalicelib import addresses, metrics
from chalicelib.auth import activity, address_links, email_change
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.users import User, address_of, check_address_token, unchanged
from chalicelib.errors import InvalidTokenError
from chalicelib.models import UserRecord, condition_failed

PURPOSE = address_links.PURPOSE


def request_verification(user: User) -> bool:
    """Mail a new verification link to the account's own, still unverified, address.

    Returns whether one was queued: not when the address is verified already, nor when its
    hourly cap of verification emails is spent (its owner may be told either).
    """
    if user.email_verified:
        return False
    return address_links.send_own_link(user, str(uuid.uuid4())) is not None


def _opened(token: str) -> tuple[UserRecord, str, str | None]:
    """A live link's account, address and change id (None: the account's own address)."""
    record, address, change_id = check_address_token(PURPOSE, token)
    if addresses.canonical(address) == address_of(record):
        return record, address, None
    email_change.check_pending(record, address, change_id)
    return record, address, change_id


def check_link(token: str) -> str:
    """The address a live verification link is for (raises InvalidTokenError)."""
    return _opened(token)[1]


def confirm(token: str, origin: Origin = Origin()) -> User:
    """Follow a verification link: verify the account's address, or move to the new one
    (recorded from `origin`: `verification_confirmed`, or `address_changed` in the move's
    transaction).

    Single use: both outcomes are conditional writes on the state the token was checked
    against, so of concurrent confirms one changes the account and the others fail.
    Raises InvalidTokenError (bad, expired, used or superseded link) or AddressTakenError.
    """
    record, address, change_id = _opened(token)
    if change_id is None:
        user = _mark_verified(record)
        activity.record(record.user_id, EventKind.VERIFICATION_CONFIRMED, origin)
    else:
        user = email_change.switch(record, address, change_id, origin)
    metrics.note(metrics.Metric.VERIFICATION_CONFIRMED)
    return user


def _mark_verified(record: UserRecord) -> User:
    unverified = UserRecord.email_verified.does_not_exist() | (
        UserRecord.email_verified == False  # noqa: E712 (a DynamoDB condition, not a test)
    )
    try:
        record.update(
            actions=[UserRecord.email_verified.set(True)],
            condition=unchanged(record) & unverified,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise InvalidTokenError("token already used", PURPOSE.value) from None
        raise
    return User.from_record(record)
