"""Holds every AWS call for a while and notes when it was in flight, to see calls overlap.

Registered like tests/helpers/awscalls.py (every botocore session made afterwards calls it),
so the app's own clients, boto3's and PynamoDB's alike, are held as a slow network would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.handlers


class InFlight:
    """While `hold` is set, each call waits that long before the emulator answers it."""

    def __init__(self) -> None:
        self.hold = 0.0
        self.spans: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def __call__(self, model: Any, **_: Any) -> None:
        if not self.hold:
            return
        started = time.monotonic()
        time.sleep(self.hold)
        with self._lock:
            name = f"{model.service_model.service_name}.{model.name}"
            self.spans.append((name, started, time.monotonic()))

    def overlap(self, first: str, second: str) -> bool:
        """Whether a `first` call and a `second` call were ever in flight at once."""
        return any(
            a_start < b_end and b_start < a_end
            for a, a_start, a_end in self.spans
            if a == first
            for b, b_start, b_end in self.spans
            if b == second
        )


IN_FLIGHT = InFlight()
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", IN_FLIGHT))


@contextmanager
def held(seconds: float = 0.05) -> Iterator[InFlight]:
    """Every AWS call takes `seconds` longer inside the block; their spans are noted."""
    IN_FLIGHT.spans, IN_FLIGHT.hold = [], seconds
    try:
        yield IN_FLIGHT
    finally:
        IN_FLIGHT.hold = 0.0
