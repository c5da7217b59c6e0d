"""Throttle counters: atomic, windowed, and free of raw personal data."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import time_machine

from chalicelib.auth import throttle
from chalicelib.models import Counter


def test_hits_count_up_within_a_window_and_restart_in_the_next() -> None:
    with time_machine.travel(1_800_000_000, tick=False):
        assert [throttle.hit("s", "a@example.com", 3600) for _ in range(3)] == [1, 2, 3]
        assert throttle.hit("s", "b@example.com", 3600) == 1
        assert throttle.hit("other", "a@example.com", 3600) == 1
    with time_machine.travel(1_800_000_000 + 3600, tick=False):
        assert throttle.hit("s", "a@example.com", 3600) == 1


def test_counters_carry_a_ttl_and_no_raw_subject() -> None:
    with time_machine.travel(1_800_000_000, tick=False):
        throttle.hit("reset-address", "susan@example.com", 3600)
    [item] = list(Counter.scan())
    assert "susan" not in item.pk
    assert item.expires_at.timestamp() == 1_800_000_000 - 1_800_000_000 % 3600 + 3600


def test_concurrent_hits_are_all_counted() -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        counts = list(pool.map(lambda _: throttle.hit("s", "same", 3600), range(20)))
    assert sorted(counts) == list(range(1, 21))


def _within(part: str, part_cap: int = 2, total_cap: int = 3) -> bool:
    return throttle.hit_within("s", "susan@example.com", part, 3600, part_cap, total_cap)


def test_a_part_and_its_total_are_counted_together_or_not_at_all() -> None:
    with time_machine.travel(1_800_000_000, tick=False):
        assert [_within("client a") for _ in range(5)] == [True, True, False, False, False]
        assert [_within("client b") for _ in range(2)] == [True, False]  # the total's third
        assert not _within("client c")
        [item] = list(Counter.scan())
        assert item.hits == 3  # refused hits spent nothing
        assert "client" not in str(item.serialize())  # parts are keyed digests too
    with time_machine.travel(1_800_000_000 + 3600, tick=False):
        assert _within("client c")


def test_concurrent_hits_within_caps_never_overshoot() -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        allowed = list(pool.map(lambda n: _within(f"client {n % 2}", 3, 5), range(20)))
    assert allowed.count(True) == 5
