"""Counters in DynamoDB: one atomic UpdateItem per hit, expired by TTL.

Fixed windows for hourly caps (`hit`; `hit_within` counts a subject and one part of it in
one item); sliding counters (alive until `window` seconds after the last hit) for login
lockouts. Subjects are hashed with a key derived from the secret, so the state
table holds no address, name or IP a dictionary could recover.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.operand import Path

from chalicelib import aws, metrics
from chalicelib.auth.keys import get_keyring
from chalicelib.models import Counter, condition_failed, written

THROTTLE_KEY_LABEL = "throttle-subject"
IPV6_CLIENT_PREFIX = 64


def client_key(ip: str) -> str:
    """The client a per-client cap counts: an IPv4 address, or the /64 of an IPv6 one.

    One IPv6 host usually holds a whole /64, so counting single addresses would not limit it.
    Anything that is not an address is counted as it is.
    """
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False))
    return str(address)


def subject_digest(scope: str, subject: str) -> str:
    """A keyed, non-reversible digest of a counted subject (surrogates are escaped)."""
    key = get_keyring().current.derived(THROTTLE_KEY_LABEL)
    message = f"{scope}\0{subject}".encode("utf-8", "backslashreplace")
    return hmac.new(key, message, "sha256").hexdigest()[:32]


def window_end(window: int) -> int:
    """When the current fixed window of `window` seconds ends (epoch seconds)."""
    now = int(time.time())
    return now - now % window + window


def _window_key(scope: str, subject: str, window: int) -> tuple[str, int]:
    ends = window_end(window)
    return f"throttle#{scope}#{subject_digest(scope, subject)}#{ends - window}", ends


def hit(scope: str, subject: str, window: int, amount: int = 1) -> int:
    """Count one hit for `subject` in the current window; returns the count including it.

    ADD is atomic in DynamoDB, so concurrent hits never read-then-write each other away.
    A negative `amount` takes a hit back (a cap that counts only failures).
    """
    key, ends = _window_key(scope, subject, window)
    counter = Counter(key)
    counter.update(
        actions=[
            Counter.hits.add(amount),
            # DynamoDB deletes expired items within days, not at once; readers use the window.
            Counter.expires_at.set(datetime.fromtimestamp(ends, tz=UTC)),
        ]
    )
    return int(counter.hits)


def exceeded(scope: str, subject: str, window: int, cap: int) -> bool:
    """Count one hit; whether it went over `cap` (counted as Throttled, kind `scope`)."""
    over = hit(scope, subject, window) > cap
    if over:
        metrics.note(metrics.Metric.THROTTLED, scope)
    return over


def hit_within(
    scope: str, subject: str, part: str, window: int, part_cap: int, total_cap: int
) -> bool:
    """Count one hit for `subject` and for `part` of it (a client asking about an address) in
    the current window, only while both stay within their caps; returns whether it counted.

    One conditional UpdateItem: the subject's item holds its total (`hits`) and a count per
    part (an attribute named by the part's keyed digest), so both are checked and counted at
    once, and a refused hit spends neither: no part can spend more than `part_cap` of the total.
    """
    key, ends = _window_key(scope, subject, window)
    each = Path("part" + subject_digest(f"{scope}#part", part)[:20])
    condition = (Counter.hits.does_not_exist() | (Counter.hits < total_cap)) & (
        each.does_not_exist() | (each < part_cap)
    )
    expires = datetime.fromtimestamp(ends, tz=UTC)
    return written(
        lambda: Counter(key).update(
            actions=[Counter.hits.add(1), each.add(1), Counter.expires_at.set(expires)],
            condition=condition,
        )
    )


def _sliding_key(scope: str, subject: str) -> str:
    return f"throttle#{scope}#{subject_digest(scope, subject)}"


def hit_sliding(scope: str, subject: str, window: int) -> int:
    """Count one hit; the count lives until `window` seconds after the latest hit.

    One UpdateItem while the counter is alive (or absent). Only a counter that outlived its
    TTL without DynamoDB deleting it yet is restarted, with a conditional write.
    """
    now = int(time.time())
    until = datetime.fromtimestamp(now + window, tz=UTC)
    counter = Counter(_sliding_key(scope, subject))
    alive = Counter.expires_at.does_not_exist() | (
        Counter.expires_at > datetime.fromtimestamp(now, tz=UTC)
    )
    try:
        counter.update(
            actions=[Counter.hits.add(1), Counter.expires_at.set(until)], condition=alive
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        counter.update(actions=[Counter.hits.set(1), Counter.expires_at.set(until)])
    return int(counter.hits)


def clear_sliding(scope: str, subject: str) -> int:
    """Forget a sliding counter (a successful login, a completed reset); returns the count it
    held while alive, 0 when it had lapsed (the same one DeleteItem, asked for the old item)."""
    old = aws.dynamodb().delete_item(  # PynamoDB's delete asks for no old item
        TableName=Counter.Meta.table_name,
        Key={"pk": {"S": _sliding_key(scope, subject)}},
        ReturnValues="ALL_OLD",
    )
    item = old.get("Attributes") or {}
    expires = int(item.get("expires_at", {}).get("N", "0"))
    return int(item.get("hits", {}).get("N", "0")) if expires > int(time.time()) else 0
