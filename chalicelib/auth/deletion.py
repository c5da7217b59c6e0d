"""Deleting an account: the owner proves the password, and one transaction removes the
account, its uniqueness guards and its sessions, and writes its last event.

Its username and address are free again at once. Links mailed before die with it (every
token names an account that is gone); a queued reset job finds no account and sends nothing.
Its events stay until their TTL: they hold no address, and the last one (account_deleted)
only a keyed digest of it.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.auth import activity, login, notifications, throttle
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.guards import guard_key_of, username_key
from chalicelib.auth.sessions import stored as stored_sessions
from chalicelib.auth.users import User, address_of, unchanged
from chalicelib.errors import AuthenticationError
from chalicelib.logs import logger
from chalicelib.models import Guard, failed_items, transaction_connection

ADDRESS_DIGEST_SCOPE = "deleted-address"
# DynamoDB takes 100 items in a transaction: the account, two guards and the event leave the
# rest for sessions; any beyond (their tokens died with the account) are deleted after it.
SESSIONS_IN_TRANSACTION = 90


def address_digest(address: str) -> str:
    """A keyed, non-reversible digest of an address (its canonical form): the same address
    gives the same digest, so support can match one a person names, and nobody can read it."""
    return throttle.subject_digest(ADDRESS_DIGEST_SCOPE, address)


def delete_account(user: User, password: str, session: str, origin: Origin) -> None:
    """Delete the signed-in account once `password` proves to be its current password (for
    the session: login.prove_password, so wrong passwords count per session).

    One transaction, conditional on the account being as read (a concurrent change of
    password or address makes it fail, and nothing is deleted). A verified address gets a
    last notice. Raises AuthenticationError (a wrong password, or the account changed
    meanwhile) or SessionEndedError.
    """
    record = login.prove_password(user, password, session, origin)
    sessions = stored_sessions(record.user_id)
    event = activity.pending(record.user_id, EventKind.ACCOUNT_DELETED, origin)
    event.address_digest = address_digest(address_of(record))
    ours = Guard.user_id == record.user_id
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.delete(record, condition=unchanged(record))
            transaction.delete(Guard(username_key(record.username)), condition=ours)
            transaction.delete(Guard(guard_key_of(record)), condition=ours)
            for stored in sessions[:SESSIONS_IN_TRANSACTION]:
                transaction.delete(stored)
            transaction.save(event)
    except TransactWriteError as exc:
        if failed_items(exc):  # another change came first: this session ended with it
            raise AuthenticationError(login.LOGIN_FAILED) from None
        raise
    activity.logged(event)
    for stored in sessions[SESSIONS_IN_TRANSACTION:]:
        stored.delete()
    logger.info("account deleted", user_id=record.user_id)
    notifications.account_deleted(User.from_record(record))
