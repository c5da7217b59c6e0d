"""Email ownership: verification links, confirming them, and the switch to a new address.

A verification token binds the address it verifies (claim `eml`) and the account's security
stamp, which every change of address or password replaces: it dies once that address is
verified, and a change token dies once the account's address changes, whichever way.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib import links, metrics
from chalicelib.auth import notifications, tokens
from chalicelib.auth.mail_caps import MailKind, allow
from chalicelib.auth.users import (
    User,
    check_address_token,
    email_key,
    issue_token,
    new_stamp,
    unchanged,
)
from chalicelib.errors import AddressTakenError, InvalidTokenError
from chalicelib.i18n import N_
from chalicelib.logs import logger, mask_address
from chalicelib.mail.composing import queue_templated_email
from chalicelib.models import (
    Guard,
    UserRecord,
    condition_failed,
    failed_items,
    transaction_connection,
)
from chalicelib.settings import HOUR, get_settings

PURPOSE = tokens.Purpose.VERIFY_EMAIL
VERIFY_SUBJECT = N_("[Microblog] Confirm your email address")
ADDRESS_TAKEN = N_(
    "That email address now belongs to another account, so your address was not changed."
)


def send_link(user: User, address: str, message_id: str) -> str | None:
    """Queue a link that confirms `address` for `user`, unless the address's cap is spent.

    `address` is the account's own address, or the one it asked to move to. Returns the
    queued email's id, or None when the cap withheld it (the caller answers alike).
    """
    if not allow(MailKind.VERIFY, address):
        logger.info("verification email over the cap", to=mask_address(address))
        return None
    metrics.note(metrics.Metric.VERIFICATION_SENT)
    ttl = get_settings().verify_token_ttl
    token = issue_token(user, PURPOSE, ttl, address=address)
    return queue_templated_email(
        VERIFY_SUBJECT,
        "verify_email",
        recipient=address,
        message_id=message_id,
        locale=user.locale,
        user=user,
        link=links.verify_email(token),
        hours=max(1, ttl // HOUR),
        change=address.casefold() != user.email.casefold(),
    )


def check_link(token: str) -> str:
    """The address a live verification link is for (raises InvalidTokenError)."""
    return check_address_token(PURPOSE, token)[1]


def confirm(token: str) -> User:
    """Follow a verification link: verify the account's address, or move to the new one.

    Single use: both outcomes are conditional writes on the state the token was checked
    against, so of concurrent confirms one changes the account and the others fail.
    Raises InvalidTokenError (bad, expired or used link) or AddressTakenError.
    """
    record, address = check_address_token(PURPOSE, token)
    same = address.casefold() == record.email.casefold()
    user = _mark_verified(record) if same else _switch_address(record, address)
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


def _switch_address(record: UserRecord, address: str) -> User:
    """Move both uniqueness guards and the address in one transaction; verified at once, with
    a fresh stamp (every session and token of the account ends, and never comes back)."""
    stamp = new_stamp()
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.delete(
                Guard(email_key(record.email)), condition=Guard.user_id == record.user_id
            )
            transaction.save(
                Guard(email_key(address), user_id=record.user_id),
                condition=Guard.pk.does_not_exist(),
            )
            transaction.update(
                record,
                actions=[
                    UserRecord.email.set(address),
                    UserRecord.email_verified.set(True),
                    UserRecord.security_stamp.set(stamp),
                ],
                condition=unchanged(record),
            )
    except TransactWriteError as exc:
        failed = failed_items(exc)  # the old guard, the new guard, the account
        if failed & {0, 2}:
            raise InvalidTokenError("the account changed meanwhile", PURPOSE.value) from None
        if failed:
            raise AddressTakenError(ADDRESS_TAKEN, "email") from None
        raise
    logger.info("address changed", user_id=record.user_id, to=mask_address(address))
    before = User.from_record(record)
    record.email, record.email_verified, record.security_stamp = address, True, stamp
    notifications.email_changed(before, address)
    return User.from_record(record)
