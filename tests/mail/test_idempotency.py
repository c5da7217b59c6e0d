"""Idempotency records: one conditional write claims an email; leases and TTL are honoured."""

from __future__ import annotations

import time

import pytest
import time_machine

from chalicelib.errors import DeliveryInProgressError
from chalicelib.mail import idempotency
from chalicelib.models import Guard
from chalicelib.settings import get_settings


def test_first_claim_holds_a_lease_and_counts_the_attempt() -> None:
    lease = idempotency.claim("e-1")
    assert lease is not None
    record = idempotency.status("e-1")
    assert record is not None
    assert record.status == idempotency.IN_PROGRESS
    assert record.owner == lease.owner
    assert record.attempts == 1
    assert record.lease_until == pytest.approx(
        time.time() + get_settings().mail.lease_seconds, abs=5
    )
    # The TTL attribute is set so DynamoDB cleans up after itself.
    assert record.expires_at is not None


def test_a_live_lease_makes_a_second_claim_retry_later() -> None:
    assert idempotency.claim("e-2") is not None
    with pytest.raises(DeliveryInProgressError, match="another worker"):
        idempotency.claim("e-2")


def test_done_email_is_never_claimed_again() -> None:
    lease = idempotency.claim("e-3")
    assert lease is not None
    idempotency.finish(lease, "sent", "ses-id")
    assert idempotency.claim("e-3") is None
    record = idempotency.status("e-3")
    assert record is not None
    assert (record.status, record.outcome, record.provider_id) == ("done", "sent", "ses-id")


def test_released_email_is_claimed_again_and_keeps_the_error() -> None:
    lease = idempotency.claim("e-4")
    assert lease is not None
    idempotency.release(lease, "SES Throttling: slow down")
    record = idempotency.status("e-4")
    assert record is not None
    assert (record.status, record.last_error) == ("failed", "SES Throttling: slow down")
    again = idempotency.claim("e-4")
    assert again is not None
    assert again.owner != lease.owner
    record = idempotency.status("e-4")
    assert record is not None
    assert record.attempts == 2


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_finish() -> None:
    lease_seconds = get_settings().mail.lease_seconds
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        first = idempotency.claim("e-5")
        assert first is not None
        clock.shift(lease_seconds + 1)  # the first worker died mid-send
        second = idempotency.claim("e-5")
        assert second is not None
        idempotency.finish(first, "sent", "stale")  # refused: not the owner any more
        record = idempotency.status("e-5")
        assert record is not None
        assert record.status == idempotency.IN_PROGRESS
        idempotency.finish(second, "sent", "fresh")
        record = idempotency.status("e-5")
        assert record is not None
        assert (record.status, record.provider_id) == ("done", "fresh")


def test_expired_records_count_as_absent_even_though_moto_keeps_them() -> None:
    ttl = get_settings().mail.idempotency_ttl
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        lease = idempotency.claim("e-6")
        assert lease is not None
        idempotency.finish(lease, "sent", "old")
        clock.shift(ttl + 60)
        assert idempotency.status("e-6") is None  # checked on read
        assert idempotency.claim("e-6") is not None  # and on the conditional write


def test_riders_are_written_with_the_claim_and_never_with_a_refused_one() -> None:
    def rider(name: str) -> Guard:
        return Guard(f"rider#{name}", user_id="u1")

    lease = idempotency.claim("e-9", [rider("first")])
    assert lease is not None
    assert Guard.get("rider#first").user_id == "u1"  # one write: the claim and its rider
    with pytest.raises(DeliveryInProgressError):
        idempotency.claim("e-9", [rider("while-held")])
    idempotency.finish(lease, "sent")
    assert idempotency.claim("e-9", [rider("after-done")]) is None
    assert {g.pk for g in Guard.scan(Guard.pk.startswith("rider#"))} == {"rider#first"}
