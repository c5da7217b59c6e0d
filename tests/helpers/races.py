"""Racing one action against itself: `count` threads released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def together(
    count: int, action: Callable[[], Any], refused: tuple[type[Exception], ...]
) -> list[Any]:
    """Run `action` in `count` threads released at once: each one's result, or the error of
    `refused` it raised (any other error fails the test)."""
    barrier = threading.Barrier(count)

    def run(_: int) -> Any:
        barrier.wait()
        try:
            return action()
        except refused as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
