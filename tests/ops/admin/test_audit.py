"""`make audit USER=` prints an account's security events, newest first, found by username or
address; the breach response's events show the operators as their client."""

from __future__ import annotations

import time

import pytest
import time_machine

from chalicelib.auth import accounts, activity
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.users import User
from ops.admin import audit, force_reset
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import drain_queue, settle_mail

HOME = Origin(client="198.51.100.7", user_agent="Firefox on Linux", request_id="req-1")
STRANGER = Origin(client="203.0.113.8", user_agent="curl", request_id="req-2")


@pytest.fixture
def susan() -> User:
    with time_machine.travel(1_790_000_000, tick=False):  # 2026-09-21 14:13:20 UTC
        user = accounts.register("susan", "Susan@Example.com", PASSWORD, origin=HOME)
    with time_machine.travel(1_790_000_060.5, tick=False):
        activity.record(user.id, EventKind.SIGN_IN_FAILED, STRANGER)
    settle_mail()
    return user


@pytest.mark.parametrize("who", ["susan", "SUSAN", "susan@example.com", "SUSAN@EXAMPLE.COM"])
def test_prints_the_accounts_events_newest_first(
    susan: User, who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main(["--user", who]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"susan ({susan.id}): 2 event(s), newest first"
    assert lines[1].split() == ["time", "(UTC)", "kind", "client", "user", "agent", "request", "id"]
    assert lines[2].split() == [
        "2026-09-21",
        "14:14:20.500",
        "sign_in_failed",
        "203.0.113.8",
        "curl",
        "req-2",
    ]
    assert lines[3].split() == [
        "2026-09-21",
        "14:13:20.000",
        "registered",
        "198.51.100.7",
        "Firefox",
        "on",
        "Linux",
        "req-1",
    ]


def test_an_unknown_account_is_said_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.main(["--user", "nobody@example.com"]) == 1
    assert "no account has that username or address" in capsys.readouterr().err


def test_every_page_is_printed(susan: User, capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(time.time() - 60, tick=True):
        for _ in range(activity.PAGE_SIZE + 3):
            activity.record(susan.id, EventKind.SIGN_IN_FAILED, STRANGER)
    assert audit.main(["--user", "susan"]) == 0
    out = capsys.readouterr().out
    assert f"{activity.PAGE_SIZE + 5} event(s)" in out
    assert out.count("sign_in_failed") == activity.PAGE_SIZE + 4
    assert out.rstrip().splitlines()[-1].split()[2] == "registered"


def test_the_breach_response_shows_as_the_operators(
    susan: User, capsys: pytest.CaptureFixture[str]
) -> None:
    force_reset.force_reset()
    drain_queue()  # the worker records the reset it mails, from the job's origin
    assert audit.main(["--user", "susan"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("time (UTC)"))
    rows = [line.split() for line in lines[header + 1 :]]
    assert sorted((row[2], row[3]) for row in rows[:2]) == [
        ("forced_reset", "operator"),
        ("reset_requested", "operator"),
    ]
