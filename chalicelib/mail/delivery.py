"""Deliver one queued email exactly once per id (as far as the provider lets us).

claim the idempotency record (beside the suppression read) -> drop suppressed recipients
-> send -> mark done. A failed send releases the record with its error and re-raises, so the
queue retries it.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from pynamodb.exceptions import PynamoDBException

from chalicelib import metrics
from chalicelib.errors import (
    DeliveryInProgressError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from chalicelib.logs import logger as log
from chalicelib.logs import redact
from chalicelib.mail import idempotency, overlap, suppression
from chalicelib.mail.composing import QueuedEmail
from chalicelib.mail.transports import Transport, get_transport
from chalicelib.settings import get_settings

T = TypeVar("T")


class Outcome(StrEnum):
    """What became of one queued email."""

    SENT = "sent"
    DUPLICATE = "duplicate"
    SUPPRESSED = "suppressed"


def deliver(
    email: QueuedEmail, transport: Transport | None = None, suppressed: set[str] | None = None
) -> Outcome:
    """Send `email` unless it was sent already; raises Transient/PermanentDeliveryError.

    `suppressed`: the (lowercased) suppressed addresses among the recipients, when the caller
    read them already (batched with its own reads); None reads them here, beside the claim.
    """
    if suppressed is None:
        among, lease = claim_beside(email.id, functools.partial(_suppressed, email))
    else:
        among, lease = suppressed, idempotency.claim(email.id)
    if lease is None:
        log.info("email %s already sent; duplicate dropped", email.id)
        return Outcome.DUPLICATE
    return deliver_claimed(email, lease, among, transport)


def _suppressed(email: QueuedEmail) -> set[str]:
    """The email's suppressed recipients (raises PermanentDeliveryError for a bad local part)."""
    return suppression.suppressed_among(email.in_ascii().all_recipients)


def claim_beside(email_id: str, read: Callable[[], T]) -> tuple[T, idempotency.Lease | None]:
    """Claim `email_id` while `read` runs here: two round trips in the time of one.

    Returns what `read` returned and the lease (None: the email was sent already). Raises
    what the claim raises (DeliveryInProgressError), or what `read` raises after giving the
    claim back with the error.
    """
    claiming = overlap.beside(functools.partial(idempotency.claim, email_id))
    try:
        value = read()
    except (TransientDeliveryError, PermanentDeliveryError, PynamoDBException) as exc:
        with contextlib.suppress(DeliveryInProgressError, PynamoDBException):
            if (lease := claiming.result()) is not None:
                idempotency.release(lease, redact(str(exc)))
        raise
    return value, claiming.result()


def deliver_claimed(
    email: QueuedEmail,
    lease: idempotency.Lease,
    suppressed: set[str],
    transport: Transport | None = None,
) -> Outcome:
    """Send an email whose idempotency record the caller holds; mark it done or release it.

    `suppressed`: its (lowercased) suppressed recipients, read by the caller.
    Raises Transient/PermanentDeliveryError (after releasing the record with the error).
    """
    try:
        deliverable = email.in_ascii()  # IDNA domains; raises for non-ASCII local parts
        remaining = deliverable.without(suppressed)
        if not remaining.all_recipients:
            metrics.note(metrics.Metric.EMAIL_FAILED, metrics.Failure.SUPPRESSED)
            idempotency.finish(lease, Outcome.SUPPRESSED)
            log.info("email %s dropped: every recipient is suppressed", email.id)
            return Outcome.SUPPRESSED
        mime = remaining.to_mime(get_settings().mail.sender_name)
        started = time.perf_counter()
        provider_id = (transport or get_transport()).send(
            remaining.sender, remaining.all_recipients, mime
        )
        metrics.milliseconds(metrics.Metric.SEND_LATENCY, (time.perf_counter() - started) * 1000)
    except (TransientDeliveryError, PermanentDeliveryError, PynamoDBException) as exc:
        idempotency.release(lease, redact(str(exc)))
        raise
    idempotency.finish(lease, Outcome.SENT, provider_id)
    metrics.note(metrics.Metric.EMAIL_SENT)
    return Outcome.SENT
