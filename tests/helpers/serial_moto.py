"""One DynamoDB write at a time in the in-process emulator, as DynamoDB itself guarantees.

moto evaluates a condition and applies the write in two steps without a lock, so two threads
(the worker delivers a batch's records at once) could both pass `attribute_not_exists` on one
item; real DynamoDB never lets them. A before-call handler takes a lock for every DynamoDB
write and the matching after-call handler (which botocore emits for error answers too, and
after-call-error for a call that raised) gives it back, so conditional writes race as they
would on AWS. A before-call handler that raises instead of answering would keep the lock:
the next write would wait out the timeout, so conftest checks after each test that it is free.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.handlers

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
_lock = threading.Lock()
_held = threading.local()


def _before(model: Any, **_: Any) -> None:
    if model.name not in WRITES:
        return
    # Never write unserialised: a race test would then pass or fail by luck.
    if not _lock.acquire(timeout=30):
        raise RuntimeError("serial_moto: another DynamoDB write held the lock for 30 s")
    _held.count = getattr(_held, "count", 0) + 1


def _after(model: Any, **_: Any) -> None:
    if model.name in WRITES and getattr(_held, "count", 0):
        _held.count -= 1
        _lock.release()


botocore.handlers.BUILTIN_HANDLERS.append(("before-call.dynamodb", _before))
botocore.handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", _after))
botocore.handlers.BUILTIN_HANDLERS.append(("after-call-error.dynamodb", _after))


def write_in_progress() -> bool:
    """True while some thread holds the write lock."""
    return _lock.locked()
