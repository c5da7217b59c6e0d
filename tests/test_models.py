"""Storage plumbing: one strongly consistent read across tables, and DynamoDB's answers."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import UpdateError

from chalicelib.mail.records import Suppression
from chalicelib.models import Counter, Guard, condition_failed, read_many
from tests.helpers.awscalls import AWS_CALLS


def test_read_many_reads_items_of_both_tables_in_one_call() -> None:
    Guard("email#a@example.com", user_id="u-1").save()
    Suppression("suppress#a@example.com", reason="Complaint").save()
    calls = AWS_CALLS.record()
    found = read_many(
        [
            (Guard, "email#a@example.com"),
            (Guard, "email#nobody@example.com"),
            (Suppression, "suppress#a@example.com"),
        ]
    )
    AWS_CALLS.recording = False
    assert calls == ["dynamodb.BatchGetItem"]
    guard = found.get(Guard, "email#a@example.com")
    assert guard is not None
    assert guard.user_id == "u-1"
    entry = found.get(Suppression, "suppress#a@example.com")
    assert entry is not None
    assert entry.reason == "Complaint"
    assert found.get(Guard, "email#nobody@example.com") is None


def test_a_refused_condition_is_told_from_other_failures() -> None:
    with pytest.raises(UpdateError) as refused:
        Counter("throttle#x").update(actions=[Counter.hits.add(1)], condition=Counter.pk.exists())
    assert condition_failed(refused.value)
