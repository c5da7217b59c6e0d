"""The mail pipeline: compose and queue emails, then deliver each once. Knows nothing of accounts.

Its public surface, all an account flow (auth/) may import, is this package's names and
mail.composing: compose and queue an email (queue_templated_email), or describe one to be
composed behind the queue (a DeferredEmail, which the worker hands to deliver_deferred).
The modules behind them are the worker's and ops' only: delivery (claim, suppression, send,
mark done), idempotency (the claims), suppression (the bounce and complaint list), transports
(SES, SMTP), pacing (the SES rate) and overlap (the worker's threads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.mail.composing import (
    QueuedEmail,
    Rider,
    compose_templated_email,
    queue,
    queue_templated_email,
)

if TYPE_CHECKING:
    from chalicelib.mail.delivery import DeferredEmail, Outcome, deliver_deferred

__all__ = [
    "DeferredEmail",
    "Outcome",
    "QueuedEmail",
    "Rider",
    "compose_templated_email",
    "deliver_deferred",
    "queue",
    "queue_templated_email",
]
_DELIVERY = frozenset({"DeferredEmail", "Outcome", "deliver_deferred"})


def __getattr__(name: str) -> Any:
    """The delivery side, loaded on first use: the API only queues, so its cold start never
    loads the transports."""
    if name in _DELIVERY:
        from chalicelib.mail import delivery

        return getattr(delivery, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
