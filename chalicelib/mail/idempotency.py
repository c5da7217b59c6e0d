"""Idempotency records for emails: claim with a lease, then mark done or release.

States of a `MailDelivery` record (keyed by the email's own id):

    (none) --claim--> in_progress --finish--> done        (provider accepted, or all suppressed)
                          |  ^
                  release |  | claim (a failed attempt, or an expired lease)
                          v  |
                         failed

A claim is one conditional write: it succeeds when there is no record, when the last attempt
failed, when the holder's lease ran out (the holder died) or when the record outlived its TTL
(DynamoDB deletes TTL'd items late, moto never: expiry is checked on read). Otherwise the email
is done (send nothing) or another worker is sending it right now (retry later).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.errors import DeliveryInProgressError
from chalicelib.logs import logger as log
from chalicelib.mail.records import DELIVERY_PREFIX, MailDelivery
from chalicelib.models import AppModel, condition_failed, failed_items, transaction_connection
from chalicelib.settings import get_settings

IN_PROGRESS = "in_progress"
DONE = "done"
FAILED = "failed"


@dataclass(frozen=True)
class Lease:
    """Proof that this worker holds the email for now."""

    email_id: str
    owner: str
    until: float


def _key(email_id: str) -> str:
    return DELIVERY_PREFIX + email_id


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def claim(email_id: str, riders: Sequence[AppModel] = ()) -> Lease | None:
    """Take the email for sending; None if it was already sent. Raises if someone holds it.

    `riders` (a job's own record, e.g. an account's event) are saved in the claim's own
    transaction, so they are written exactly when the claim is: still one call."""
    mail = get_settings().mail
    now = time.time()
    lease = Lease(email_id, uuid.uuid4().hex, now + mail.lease_seconds)
    free = (
        MailDelivery.pk.does_not_exist()
        | (MailDelivery.status == FAILED)
        | ((MailDelivery.status == IN_PROGRESS) & (MailDelivery.lease_until < now))
        | (MailDelivery.expires_at < _at(now))
    )
    actions: list[Action] = [
        MailDelivery.status.set(IN_PROGRESS),
        MailDelivery.owner.set(lease.owner),
        MailDelivery.lease_until.set(lease.until),
        MailDelivery.attempts.add(1),
        MailDelivery.updated_at.set(now),
        MailDelivery.expires_at.set(_at(now + mail.idempotency_ttl)),
    ]
    try:
        if not riders:
            MailDelivery(_key(email_id)).update(actions=actions, condition=free)
        else:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.update(MailDelivery(_key(email_id)), actions, condition=free)
                for rider in riders:
                    transaction.save(rider)
    except (UpdateError, TransactWriteError) as exc:
        if not _claim_refused(exc):
            raise
        _raise_unless_done(email_id, now)
        return None
    return lease


def _claim_refused(exc: UpdateError | TransactWriteError) -> bool:
    """Whether the claim's condition refused it (the email is taken), not any other failure."""
    if isinstance(exc, TransactWriteError):
        # PynamoDB sends puts before updates: the claim (an update) is the last item
        return len(exc.cancellation_reasons) - 1 in failed_items(exc)
    return condition_failed(exc)


def _raise_unless_done(email_id: str, now: float) -> None:
    """The claim lost: done means a duplicate; anything else means retry later."""
    try:
        record = MailDelivery.get(_key(email_id), consistent_read=True)
    except DoesNotExist:
        raise DeliveryInProgressError(f"email {email_id} changed under us; retry") from None
    if record.status == DONE:
        return
    raise DeliveryInProgressError(
        f"email {email_id} is being sent by another worker (lease for "
        f"{max(0, int(record.lease_until - now))}s more)"
    )


def finish(lease: Lease, outcome: str, provider_id: str = "-") -> None:
    """Mark the email done. Never raises: the provider already has it, a retry would resend it."""
    try:
        MailDelivery(_key(lease.email_id)).update(
            actions=[
                MailDelivery.status.set(DONE),
                MailDelivery.outcome.set(outcome),
                MailDelivery.provider_id.set(provider_id),
                MailDelivery.lease_until.set(0),
                MailDelivery.updated_at.set(time.time()),
            ],
            condition=MailDelivery.owner == lease.owner,
        )
    except PynamoDBException as exc:
        # The record stays in_progress; a redelivery before the lease ends is retried, one
        # after it resends. Logged loudly because this is the one window for a duplicate.
        log.exception("email %s sent but not marked done: %s", lease.email_id, type(exc).__name__)


def release(lease: Lease, error: str) -> None:
    """Give the email back after a failed attempt, with the error, so a retry may claim it."""
    try:
        MailDelivery(_key(lease.email_id)).update(
            actions=[
                MailDelivery.status.set(FAILED),
                MailDelivery.last_error.set(error[:500]),
                MailDelivery.lease_until.set(0),
                MailDelivery.updated_at.set(time.time()),
            ],
            condition=MailDelivery.owner == lease.owner,
        )
    except PynamoDBException as exc:
        # Not fatal: the lease runs out on its own and the retry claims it then.
        log.warning("could not release email %s: %s", lease.email_id, type(exc).__name__)


def status(email_id: str) -> MailDelivery | None:
    """The live idempotency record of an email, if any (an expired one counts as none)."""
    try:
        record = MailDelivery.get(_key(email_id), consistent_read=True)
    except DoesNotExist:
        return None
    if record.expires_at is not None and record.expires_at < _at(time.time()):
        return None
    return record
