"""The mail pipeline's records in the short-lived state table: one email's delivery (its
idempotency), one queue message's last failure, an address we do not mail."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.models import AppModel, StateTable

DELIVERY_PREFIX = "maildelivery#"
FAILURE_PREFIX = "mailfailure#"
SUPPRESS_PREFIX = "suppress#"


class MailDelivery(AppModel):
    """The idempotency record of one email, keyed by the email's own id (maildelivery#<id>).

    status: "in_progress" while a worker holds the lease, "done" once the provider accepted it
    (or every recipient was suppressed), "failed" after an attempt failed (free to retry).
    TTL'd by expires_at; moto never expires items, so readers check expires_at themselves.
    """

    class Meta(StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(default="")
    lease_until = NumberAttribute(default=0)
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    updated_at = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class MailFailure(AppModel):
    """The last failure of one queue message, keyed by its SQS message id (mailfailure#<id>):
    SQS keeps that id when it dead-letters a message, so `make dlq` can show why it failed."""

    class Meta(StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    error = UnicodeAttribute()
    kind = UnicodeAttribute()
    receive_count = NumberAttribute(default=0)
    updated_at = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class Suppression(AppModel):
    """An address we do not mail (suppress#<canonical address>): bounced or complained. A
    bounce lapses at expires_at (checked on read: moto never expires items); a complaint has
    no expires_at and stays until an operator removes it."""

    class Meta(StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    created_at = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)
