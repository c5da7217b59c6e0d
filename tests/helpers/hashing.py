"""The argon2 work a block of code does: every hash and verification, with its parameters.

What an answer's timing could tell apart is the work behind it; counting that work (and the
AWS calls, tests/helpers/awscalls.py) decides alike on an idle and on a busy machine, where
wall-clock medians do not. Wraps argon2-cffi's PasswordHasher, a library's class, not ours.
The `argon2_verifications` fixture (tests/conftest.py) counts a whole test's verifications.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import Parameters, PasswordHasher, extract_parameters

Work = list[tuple[str, Parameters]]


@contextmanager
def argon2_work(only: str | None = None) -> Iterator[Work]:
    """Notes ("hash" | "verify", parameters) for each argon2 operation inside the block (only
    those of one kind when `only` names it)."""
    work: Work = []
    verify, make = PasswordHasher.verify, PasswordHasher.hash

    def note(kind: str, digest: str) -> None:
        if only in (None, kind):
            work.append((kind, extract_parameters(digest)))

    def counted_verify(self: PasswordHasher, stored: str | bytes, password: str | bytes) -> bool:
        note("verify", stored.decode() if isinstance(stored, bytes) else stored)
        return verify(self, stored, password)

    def counted_hash(
        self: PasswordHasher, password: str | bytes, *, salt: bytes | None = None
    ) -> str:
        digest = make(self, password, salt=salt)
        note("hash", digest)
        return digest

    PasswordHasher.verify = counted_verify  # type: ignore[assignment,method-assign]
    PasswordHasher.hash = counted_hash  # type: ignore[method-assign]
    try:
        yield work
    finally:
        PasswordHasher.verify, PasswordHasher.hash = verify, make  # type: ignore[method-assign]
