"""The activity log's plumbing: events are written under their account, read newest first a
page at a time, and lapse at their TTL (checked on read: moto never expires items)."""

from __future__ import annotations

import pytest
import time_machine

from chalicelib.auth import activity
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.errors import ValidationError

HERE = Origin(client="203.0.113.9", user_agent="Firefox on Linux", request_id="r-1")


def test_events_come_newest_first_a_page_at_a_time() -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        for _ in range(5):
            activity.record("u1", EventKind.SIGNED_IN, HERE)
            clock.shift(1)
        activity.record("u1", EventKind.PASSWORD_CHANGED, HERE)
        activity.record("u2", EventKind.REGISTERED, HERE)
        first = activity.recent("u1", limit=4)
    assert [e.kind for e in first.items] == ["password_changed"] + ["signed_in"] * 3
    assert first.items[0].client == "203.0.113.9"
    assert first.next_cursor
    second = activity.recent("u1", first.next_cursor, limit=4)
    assert [e.kind for e in second.items] == ["signed_in"] * 2
    assert second.next_cursor is None


def test_events_past_their_retention_are_not_read() -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        activity.record("u1", EventKind.SIGNED_IN, HERE)
        clock.shift(401 * 24 * 3600)
        assert activity.recent("u1").items == []


@pytest.mark.parametrize("cursor", ["bogus", "ZXZlbnQjMQ", "x" * 200])
def test_a_cursor_we_did_not_give_is_refused(cursor: str) -> None:
    with pytest.raises(ValidationError):
        activity.recent("u1", cursor)


@pytest.mark.parametrize(
    ("header", "described"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        ("curl/8.5.0", "curl"),
        ("", ""),
    ],
)
def test_user_agents_are_described_shortly(header: str, described: str) -> None:
    assert activity.describe_agent(header) == described
