"""Fixed-window counters in DynamoDB: one atomic UpdateItem per hit, expired by TTL."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

from chalicelib.models import Counter


def _window_key(scope: str, subject: str, window: int) -> tuple[str, int]:
    now = int(time.time())
    start = now - now % window
    # Subjects (addresses, IPs, login names) are hashed: no PII sits in the state table.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"throttle#{scope}#{digest}#{start}", start + window


def hit(scope: str, subject: str, window: int) -> int:
    """Count one hit for `subject` in the current window; returns the count including it.

    ADD is atomic in DynamoDB, so concurrent hits never read-then-write each other away.
    """
    key, ends = _window_key(scope, subject, window)
    counter = Counter(key)
    counter.update(
        actions=[
            Counter.hits.add(1),
            # DynamoDB deletes expired items within days, not at once; readers use the window.
            Counter.expires_at.set(datetime.fromtimestamp(ends, tz=UTC)),
        ]
    )
    return int(counter.hits)


def clear(scope: str, subject: str, window: int) -> None:
    """Forget the current window's hits for `subject`."""
    key, _ends = _window_key(scope, subject, window)
    Counter(key).delete()
