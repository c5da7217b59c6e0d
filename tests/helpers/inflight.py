"""Whether two kinds of AWS call are ever in flight at once, decided by the calls themselves.

Inside `meeting(first, second)`, a `first` call waits, before the emulator answers it, until a
`second` call is in flight too, and the other way round. Calls made side by side release each
other at once and are noted as met; calls made one after the other each wait out the timeout
and never meet. A busy machine can only make a failing test slower, never a passing one fail:
no wall-clock window decides.

Registered like tests/helpers/awscalls.py (every botocore session made afterwards calls it),
so the app's own clients, boto3's and PynamoDB's alike, are seen. serial_moto's lock is taken
before this handler runs (botocore calls the more specific before-call.dynamodb first): pair a
write with a read, as two writes could not both be in flight.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.handlers

PATIENCE = 5.0  # seconds a call waits for its partner before going on alone


class Meeting:
    """Holds each watched call until a call of the other kind is in flight (or PATIENCE ends)."""

    def __init__(self) -> None:
        self.pair: tuple[str, str] | None = None
        self.met = False
        self._in_flight: Counter[str] = Counter()
        self._changed = threading.Condition()

    def __call__(self, model: Any, **_: Any) -> None:
        pair = self.pair
        name = f"{model.service_model.service_name}.{model.name}"
        if pair is None or name not in pair:
            return
        other = pair[1] if name == pair[0] else pair[0]
        with self._changed:
            self._in_flight[name] += 1
            self._changed.notify_all()
            if self._changed.wait_for(lambda: self.met or self._in_flight[other] > 0, PATIENCE):
                self.met = True
            self._in_flight[name] -= 1


MEETING = Meeting()
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", MEETING))


@contextmanager
def meeting(first: str, second: str) -> Iterator[Meeting]:
    """Inside the block, `first` and `second` calls ("service.Operation") wait for each other;
    `.met` says whether one of each was ever in flight at the same time."""
    MEETING.pair, MEETING.met = (first, second), False
    try:
        yield MEETING
    finally:
        MEETING.pair = None
