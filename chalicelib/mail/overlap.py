"""Threads kept for the life of a container: the batch's records, and calls made side by side.

A mail worker mostly waits on AWS round trips. The records of one SQS batch are handled at
once, and within a record an idempotency claim goes out beside the read it does not depend
on (the account, the suppression entry), so the two round trips cost one. The threads are
started once per container and reused: starting ten threads for every batch costs more than
a DynamoDB round trip while the other records hold the interpreter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

# SQS hands a Lambda at most 10 records at a time (the mapping's BatchSize).
BATCH_THREADS = 10

T = TypeVar("T")


@functools.cache
def batch_pool() -> ThreadPoolExecutor:
    """The container's pool for the records of a batch (one thread per record)."""
    return ThreadPoolExecutor(max_workers=BATCH_THREADS, thread_name_prefix="record")


@functools.cache
def _side_pool() -> ThreadPoolExecutor:
    # Its own pool: a record waiting on its side call must never wait for a free record thread.
    return ThreadPoolExecutor(max_workers=BATCH_THREADS, thread_name_prefix="beside")


def beside(call: Callable[[], T]) -> Future[T]:
    """Start `call` on another thread; the caller makes its own call meanwhile."""
    return _side_pool().submit(call)
