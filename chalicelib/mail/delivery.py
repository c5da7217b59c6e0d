"""Deliver one queued email exactly once per id (as far as the provider lets us).

claim the idempotency record -> drop suppressed recipients -> send -> mark done.
A failed send releases the record with its error and re-raises, so the queue retries it.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.exceptions import PynamoDBException

from chalicelib.errors import PermanentDeliveryError, TransientDeliveryError
from chalicelib.logs import logger as log
from chalicelib.logs import redact
from chalicelib.mail import idempotency, suppression
from chalicelib.mail.composing import QueuedEmail
from chalicelib.mail.transports import Transport, get_transport
from chalicelib.settings import get_settings


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
    read them already (batched with its own reads); None reads them here.
    """
    lease = idempotency.claim(email.id)
    if lease is None:
        log.info("email %s already sent; duplicate dropped", email.id)
        return Outcome.DUPLICATE
    try:
        deliverable = email.in_ascii()  # IDNA domains; raises for non-ASCII local parts
        if suppressed is None:
            suppressed = suppression.suppressed_among(deliverable.all_recipients)
        remaining = deliverable.without(suppressed)
        if not remaining.all_recipients:
            idempotency.finish(lease, Outcome.SUPPRESSED)
            log.info("email %s dropped: every recipient is suppressed", email.id)
            return Outcome.SUPPRESSED
        mime = remaining.to_mime(get_settings().mail.sender_name)
        provider_id = (transport or get_transport()).send(
            remaining.sender, remaining.all_recipients, mime
        )
    except (TransientDeliveryError, PermanentDeliveryError, PynamoDBException) as exc:
        idempotency.release(lease, redact(str(exc)))
        raise
    idempotency.finish(lease, Outcome.SENT, provider_id)
    return Outcome.SENT
