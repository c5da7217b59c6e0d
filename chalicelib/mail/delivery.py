"""Deliver each email once per id (as far as the provider lets us): the one pipeline.

A queued email: claim the idempotency record (beside the suppression read) -> drop suppressed
recipients -> send -> mark done. A deferred email (one a job asks for, composed by the worker):
the same, with the job's own reads around it (deliver_deferred). A failure after the claim
gives the record back with its error and re-raises, so the queue retries it.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib import addresses, metrics
from chalicelib.errors import (
    AppError,
    DeliveryInProgressError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from chalicelib.logs import logger as log
from chalicelib.logs import mask_address, redact
from chalicelib.mail import idempotency, overlap, suppression
from chalicelib.mail.composing import QueuedEmail, Rider, bare_address
from chalicelib.mail.records import SUPPRESS_PREFIX, Suppression
from chalicelib.mail.transports import Transport, get_transport
from chalicelib.models import AppModel, Items, UserRecord, read_many
from chalicelib.settings import get_settings

T = TypeVar("T")


class Outcome(StrEnum):
    """What became of one email."""

    SENT = "sent"
    DUPLICATE = "duplicate"
    SUPPRESSED = "suppressed"
    NO_RECIPIENT = "no_recipient"  # a deferred email with nobody to send it to


class DeferredEmail(Protocol[T]):
    """An email a job asks for, composed only when the worker takes the job (an account flow
    says what to read and what to compose; deliver_deferred does the rest).

    `email_id` is the idempotency key (the same job makes the same id); `recipient` is the
    address the job names, whose suppression entry is read in one BatchGetItem with `items()`.
    `read_beside_claim(found)` is the read to run beside the idempotency claim (None: nothing to
    read, nobody to mail); what it returns (None: nobody after all) tells `addressee` who gets
    the email and `compose` what it says. `rider(found)`: what to write with the claim, if any.
    """

    @property
    def email_id(self) -> str: ...

    @property
    def recipient(self) -> str: ...

    def items(self) -> Sequence[tuple[type[AppModel], str]]: ...

    def read_beside_claim(self, found: Items) -> Callable[[], T | None] | None: ...

    def rider(self, found: Items) -> Rider | None: ...

    def addressee(self, read: T) -> str: ...

    def compose(self, read: T) -> QueuedEmail: ...


# What may fail once an email is claimed; the claim is then given back with the error.
_FAILURES = (AppError, ClientError, BotoCoreError, PynamoDBException)


def deliver(email: QueuedEmail, transport: Transport | None = None) -> Outcome:
    """Send a queued email unless it was sent already, or the account it is about is gone;
    raises Transient/PermanentDeliveryError."""
    among, lease = claim_beside(email.id, functools.partial(_suppressed, email))
    if lease is None:
        log.info("email %s already sent; duplicate dropped", email.id)
        return Outcome.DUPLICATE
    if among is None:
        idempotency.release(lease, "its account is gone")
        log.info("email %s not sent: its account is gone", email.id)
        return Outcome.NO_RECIPIENT
    return deliver_claimed(email, lease, among, transport)


def deliver_deferred(job: DeferredEmail[T], transport: Transport | None = None) -> Outcome:
    """Compose and send the email a job asks for, once per job, in the invocation that took it.

    Reads: the job's items with the recipient's suppression entry (one BatchGetItem), then the
    job's own read with the idempotency claim beside it. Nothing is claimed for a suppressed
    recipient unless the addressee turns out to be another spelling (whose entry is read then);
    nobody to mail, or a suppressed addressee, gives the claim back and sends nothing.
    Raises Transient/PermanentDeliveryError, or what the job's read or compose raised.
    """
    entry_key = suppression.key_of(job.recipient)
    found = read_many([(Suppression, entry_key), *job.items()])
    read = job.read_beside_claim(found)
    if read is None:
        return Outcome.NO_RECIPIENT
    rider = job.rider(found)
    entry = found.get(Suppression, entry_key)
    suppressed = entry is not None and suppression.in_force(entry, time.time())
    lease: idempotency.Lease | None = None
    if suppressed:
        value = read()
    else:
        value, lease = claim_beside(job.email_id, read, rider)
        if lease is None:
            log.info("email %s already sent; duplicate dropped", job.email_id)
            return Outcome.DUPLICATE
    with _given_back_on_failure(lease):
        to = None if value is None else job.addressee(value)
        if to is not None and _canonical(to) != _canonical(job.recipient):
            suppressed = suppression.is_suppressed(to)  # the addressee's own entry decides
    if value is None or to is None or suppressed:
        if suppressed and to is not None:
            metrics.note(metrics.Metric.EMAIL_FAILED, metrics.Failure.SUPPRESSED)
        if lease is not None:
            idempotency.release(lease, "nothing to send")
        outcome = Outcome.NO_RECIPIENT if to is None else Outcome.SUPPRESSED
        log.info("email %s not sent: %s", job.email_id, outcome.value)
        return outcome
    if lease is None:  # claimed only now: the addressee's spelling is not suppressed
        lease = idempotency.claim(job.email_id, rider.items if rider else ())
        if lease is None:
            return Outcome.DUPLICATE
        if rider is not None:
            rider.written()
    with _given_back_on_failure(lease):
        email = job.compose(value)
    outcome = deliver_claimed(email, lease, set(), transport)
    log.info("email %s %s", job.email_id, outcome.value, to=mask_address(to))
    return outcome


def _canonical(address: str) -> str:
    return addresses.canonical(bare_address(address))


@contextlib.contextmanager
def _given_back_on_failure(lease: idempotency.Lease | None) -> Iterator[None]:
    """Release `lease` with the error when the block fails (e.g. the signing keys unreadable)."""
    try:
        yield
    except _FAILURES as exc:
        if lease is not None:
            idempotency.release(lease, redact(f"{type(exc).__name__}: {exc}"))
        raise


def _suppressed(email: QueuedEmail) -> set[str] | None:
    """The email's suppressed recipients, read with the account it is about in one
    BatchGetItem; None when that account is gone (raises PermanentDeliveryError for a bad
    local part)."""
    recipients = email.in_ascii().recipients
    if not email.account:
        return suppression.suppressed_among(recipients)
    keys = {suppression.key_of(a) for a in recipients if bare_address(a)}
    found = read_many([(UserRecord, email.account), *((Suppression, key) for key in keys)])
    if found.get(UserRecord, email.account) is None:
        return None
    now = time.time()
    entries = [found.get(Suppression, key) for key in keys]
    return {
        entry.pk.removeprefix(SUPPRESS_PREFIX)
        for entry in entries
        if entry is not None and suppression.in_force(entry, now)
    }


def claim_beside(
    email_id: str, read: Callable[[], T], rider: Rider | None = None
) -> tuple[T, idempotency.Lease | None]:
    """Claim `email_id` (with `rider`'s items) while `read` runs here: two round trips in the
    time of one.

    Returns what `read` returned and the lease (None: the email was sent already). Raises
    what the claim raises (DeliveryInProgressError), or what `read` raises after giving the
    claim back with the error.
    """
    riders = rider.items if rider else ()
    claiming = overlap.beside(functools.partial(idempotency.claim, email_id, riders))
    try:
        value = read()
    except (TransientDeliveryError, PermanentDeliveryError, PynamoDBException) as exc:
        with contextlib.suppress(DeliveryInProgressError, PynamoDBException):
            if (lease := claiming.result()) is not None:
                idempotency.release(lease, redact(str(exc)))
        raise
    lease = claiming.result()
    if lease is not None and rider is not None:
        rider.written()
    return value, lease


def deliver_claimed(
    email: QueuedEmail,
    lease: idempotency.Lease,
    suppressed: set[str],
    transport: Transport | None = None,
) -> Outcome:
    """Send an email whose idempotency record the caller holds; mark it done or release it.

    `suppressed`: its suppressed recipients (canonical forms), read by the caller.
    Raises Transient/PermanentDeliveryError (after releasing the record with the error).
    """
    try:
        deliverable = email.in_ascii()  # IDNA domains; raises for non-ASCII local parts
        remaining = deliverable.without(suppressed)
        if not remaining.recipients:
            metrics.note(metrics.Metric.EMAIL_FAILED, metrics.Failure.SUPPRESSED)
            idempotency.finish(lease, Outcome.SUPPRESSED)
            log.info("email %s dropped: every recipient is suppressed", email.id)
            return Outcome.SUPPRESSED
        mime = remaining.to_mime(get_settings().mail.sender_name)
        started = time.perf_counter()
        provider_id = (transport or get_transport()).send(
            remaining.sender, remaining.recipients, mime
        )
        metrics.milliseconds(metrics.Metric.SEND_LATENCY, (time.perf_counter() - started) * 1000)
    except (TransientDeliveryError, PermanentDeliveryError, PynamoDBException) as exc:
        idempotency.release(lease, redact(str(exc)))
        raise
    idempotency.finish(lease, Outcome.SENT, provider_id)
    metrics.note(metrics.Metric.EMAIL_SENT)
    return Outcome.SENT
