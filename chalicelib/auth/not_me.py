""" "This wasn't me": the link in every security notice, and what following it does.

The link is bound to the address its notice went to, lives SECURE_LINK_TTL_DAYS and does
not carry the account's security stamp into its check: an intruder who changes the password
or the address after the notice must not be able to void it. It is spent once, by a
conditional write of its random id in the same transaction as what it does.

Following a notice's link (mode SECURE) ends every session (a fresh stamp, and the stored
sessions deleted), cancels a pending change of address, moves the address back to the one the
notice went to if it changed since and that address is still free, voids the password (no
password signs in until a reset) and queues a reset link to the restored address. The link in
a notice that a change was only asked for (mode CANCEL) cancels that change, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import addresses
from chalicelib.activity_models import SessionRecord
from chalicelib.auth import accounts, activity, password_reset, tokens
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.deletion import SESSIONS_IN_TRANSACTION
from chalicelib.auth.guards import email_key, guard_key_of, held_the_old_way
from chalicelib.auth.notifications import CANCEL, SECURE
from chalicelib.auth.sessions import stored
from chalicelib.auth.users import address_of, load_record, unchanged
from chalicelib.errors import InvalidTokenError
from chalicelib.logs import logger
from chalicelib.models import (
    USER_PREFIX,
    WRITE_ATTEMPTS,
    AppModel,
    Guard,
    StateTable,
    UserRecord,
    failed_items,
    read_many,
    transaction_connection,
)

PURPOSE = tokens.Purpose.SECURE_ACCOUNT
SPENT_PREFIX = "spent-link#"
PENDING = (UserRecord.pending_email, UserRecord.pending_change_id, UserRecord.pending_until)


class SpentLink(AppModel):
    """A followed "this wasn't me" link, by its random id, kept until it would have expired."""

    class Meta(StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()


@dataclass(frozen=True)
class SecureLink:
    """An open, unspent link: whose account, the address its notice went to, what it does."""

    record: UserRecord
    address: str
    cancel_only: bool
    jti: str
    expires_at: int


@dataclass(frozen=True)
class Secured:
    """What following the link did."""

    cancel_only: bool = False
    restored: bool = False  # the address moved back to the notice's
    address_lost: bool = False  # the notice's address is another account's now: no reset mail


def open_link(token: str) -> SecureLink:
    """The link a token makes, while it verifies, is unspent and its account exists (one
    BatchGetItem). Opening it changes nothing. Raises InvalidTokenError."""
    claims = tokens.verify(PURPOSE, token)
    mode = claims.own.get("m")
    if claims.jti is None or claims.address is None or mode not in (SECURE, CANCEL):
        raise InvalidTokenError("malformed claims", PURPOSE.value)
    account, spent = USER_PREFIX + claims.user_id, SPENT_PREFIX + claims.jti
    found = read_many([(UserRecord, account), (SpentLink, spent)])
    record = found.get(UserRecord, account)
    if record is None or found.get(SpentLink, spent) is not None:
        raise InvalidTokenError("spent, or no such account", PURPOSE.value)
    return SecureLink(record, claims.address, mode == CANCEL, claims.jti, claims.expires_at)


def secure(token: str, origin: Origin) -> Secured:
    """Do what the link says (see above), once. Raises InvalidTokenError (a dead link)."""
    link = open_link(token)
    if link.cancel_only:
        exists = UserRecord.user_id == link.record.user_id  # whatever else changed meanwhile
        try:
            _write(link, link.record, [attribute.remove() for attribute in PENDING], origin, exists)
        except _Changed:
            raise InvalidTokenError("no such account", PURPOSE.value) from None
        logger.info("address change cancelled by its notice", user_id=link.record.user_id)
        return Secured(cancel_only=True)
    record, restore = link.record, True
    for _attempt in range(WRITE_ATTEMPTS):
        moved_away = address_of(record) != addresses.canonical(link.address)
        restore = restore and moved_away and _free(link.address, record.user_id)
        try:
            _secure(link, record, restore, origin)
        except _GuardTaken:
            restore = False  # taken since it was read: secure the account all the same
            continue
        except _Changed:
            record = _reread(record.user_id)
            continue
        if moved_away and not restore:  # a reset link would reach the address the intruder set
            logger.warning("secured, address not restored", user_id=record.user_id)
            return Secured(address_lost=True)
        password_reset.queue_jobs([addresses.canonical(link.address)])
        logger.info("account secured", user_id=record.user_id, restored=restore)
        return Secured(restored=restore)
    raise InvalidTokenError("the account kept changing", PURPOSE.value)


class _Changed(Exception):
    """The account changed between the read and the write."""


class _GuardTaken(Exception):
    """The notice's address was claimed between the read and the write."""


def _reread(user_id: str) -> UserRecord:
    record = load_record(user_id)
    if record is None:
        raise InvalidTokenError("no such account", PURPOSE.value)
    return record


def _free(address: str, user_id: str) -> bool:
    """Whether the account may take `address` back: its guard is free or still ours."""
    try:
        holder: str | None = Guard.get(email_key(address), consistent_read=True).user_id
    except Guard.DoesNotExist:
        holder = None
    return holder in (None, user_id) and not held_the_old_way(address, user_id)


def _secure(link: SecureLink, record: UserRecord, restore: bool, origin: Origin) -> None:
    actions = accounts.voided_password()  # a fresh stamp; no pending change
    guards: list[tuple[str, Guard, bool]] = []  # (how, guard, whether it must be free)
    if restore:
        canonical = addresses.canonical(link.address)
        old_key, new_key = guard_key_of(record), email_key(canonical)
        if old_key != new_key:
            guards.append(("delete", Guard(old_key), False))
        guards.append(("save", Guard(new_key, user_id=record.user_id), old_key != new_key))
        actions += [
            UserRecord.email.set(link.address),
            UserRecord.canonical_email.set(canonical),
            UserRecord.email_verified.set(True),  # the link proved the mailbox
        ]
    _write(link, record, actions, origin, unchanged(record), guards, stored(record.user_id))


def _write(
    link: SecureLink,
    record: UserRecord,
    actions: list[Action],
    origin: Origin,
    condition: Condition,
    guards: list[tuple[str, Guard, bool]] | None = None,
    sessions: list[SessionRecord] | None = None,
) -> None:
    """One transaction: the link spent, the guards moved, the account updated (only as it
    was read), the sessions deleted, the event written."""
    guards, sessions = guards or [], sessions or []
    event = activity.pending(record.user_id, EventKind.NOT_ME, origin)
    spent = SpentLink(
        SPENT_PREFIX + link.jti, expires_at=datetime.fromtimestamp(link.expires_at, tz=UTC)
    )
    ours = Guard.user_id == record.user_id
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(spent, condition=SpentLink.pk.does_not_exist())
            for how, guard, fresh in guards:
                if how == "delete":
                    transaction.delete(guard, condition=ours)
                else:
                    free = Guard.pk.does_not_exist() if fresh else ours
                    transaction.save(guard, condition=free)
            transaction.update(record, actions=actions, condition=condition)
            for stored in sessions[:SESSIONS_IN_TRANSACTION]:
                transaction.delete(stored)
            transaction.save(event)
    except TransactWriteError as exc:
        failed = failed_items(exc)  # the link, [the guards,] the account
        if 0 in failed:
            raise InvalidTokenError("link already used", PURPOSE.value) from None
        if len(guards) + 1 in failed:
            raise _Changed from None
        if failed:
            raise _GuardTaken from None
        raise
    activity.logged(event)
    for stored in sessions[SESSIONS_IN_TRANSACTION:]:
        stored.delete()
