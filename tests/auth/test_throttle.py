"""Throttle counters: atomic, windowed, a part counted with its total or not at all, keyed per
client (IPv4 address, IPv6 /64), and free of raw personal data."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, throttle
from chalicelib.errors import AuthenticationError
from chalicelib.models import Counter
from tests.helpers.web import post_json


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


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:a:b:c:d:e:f", "2001:db8:a:b::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("unknown", "unknown"),
    ],
)
def test_client_key(ip: str, key: str) -> None:
    assert throttle.client_key(ip) == key


def test_throttle_keys_are_keyed_hashes(client: Client, susan: dict[str, Any]) -> None:
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    with pytest.raises(AuthenticationError):
        accounts.authenticate("nobody", "wrong pw!", "192.0.2.1")
    plain = {
        hashlib.sha256(subject.encode()).hexdigest()[:32]
        for subject in ("susan@example.com", "192.0.2.1", "127.0.0.1", "name:nobody", "nobody")
    }
    keys = [c.pk for c in Counter.scan() if c.pk.startswith("throttle#")]
    assert len(keys) >= 4
    assert not any(digest in key for key in keys for digest in plain)
    assert throttle.subject_digest("s", "x") != hashlib.sha256(b"s\0x").hexdigest()[:32]
