"""Keep the worker under the account's SES sending rate, and ride out SES throttling in place.

The account's rate (SES GetSendQuota's MaxSendRate, or MAIL_MAX_SEND_RATE) is read once per
container and shared out evenly by the SQS mapping's MaximumConcurrency (MAIL_WORKER_CONCURRENCY):
that many containers at most run at once, so their shares add up to the account's rate.
Within a container, the threads of one batch take turns at a shared pacer.

A send SES still refuses with a throttling code is retried here after a pause (exponential,
jittered), so a burst costs a little time instead of a failed receive that counts towards
the dead-letter queue; only after THROTTLE_RETRIES pauses does it fail like any transient error.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage

from chalicelib import aws
from chalicelib.errors import ThrottledError
from chalicelib.logs import logger as log
from chalicelib.mail.transports import Transport
from chalicelib.settings import get_settings

THROTTLE_RETRIES = 4
THROTTLE_PAUSE_SECONDS = 0.2  # first pause; doubled after each refusal
_jitter = random.Random()  # noqa: S311 - jitter, not a secret


@functools.cache
def account_send_rate() -> float:
    """Emails per second the account may send: MAIL_MAX_SEND_RATE, else SES's quota (once)."""
    configured = get_settings().mail.max_send_rate
    if configured:
        return float(configured)
    return float(aws.ses().get_send_quota()["MaxSendRate"])


def container_send_rate() -> float:
    """This container's share of the account's rate."""
    return account_send_rate() / get_settings().mail.max_concurrency


class Pacer:
    """Hands out send slots no closer than 1/rate apart, to any number of threads."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until this caller's slot comes."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)


class PacedTransport:
    """A transport that waits for its slot before each send and retries throttling in place."""

    def __init__(self, inner: Transport, pacer: Pacer) -> None:
        self._inner = inner
        self._pacer = pacer

    def send(self, sender: str, recipients: Sequence[str], message: EmailMessage) -> str:
        for attempt in range(THROTTLE_RETRIES + 1):
            self._pacer.wait()
            try:
                return self._inner.send(sender, recipients, message)
            except ThrottledError:
                if attempt == THROTTLE_RETRIES:
                    raise
                pause = THROTTLE_PAUSE_SECONDS * 2**attempt
                log.info("SES throttled a send; retrying in %.2fs", pause)
                time.sleep(pause / 2 + _jitter.uniform(0, pause / 2))
        raise AssertionError("unreachable")  # pragma: no cover


@functools.cache
def _container_pacer() -> Pacer:
    return Pacer(container_send_rate())


def paced(transport: Transport) -> PacedTransport:
    """`transport` behind this container's one pacer."""
    return PacedTransport(transport, _container_pacer())
