"""Each security event is recorded once, at the change it goes with, from the request's origin
and at its time; a change that fails records nothing."""

from __future__ import annotations

import json
import time

import pytest
import time_machine

from chalicelib.activity_models import EVENT_PREFIX, EventRecord
from chalicelib.auth import accounts, activity, email_change, password_reset, tokens, users
from chalicelib.auth import verification as verifying
from chalicelib.auth.activity import Origin
from chalicelib.errors import AddressTakenError, AuthenticationError, InvalidTokenError
from chalicelib.settings import get_settings
from tests.helpers.accounts import SESSION, change_link
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, run_worker, sent_mail, settle_mail, token_from
from tests.helpers.mailkit import sqs_event, sqs_record

HERE = Origin(client="203.0.113.9", user_agent="Firefox on Linux", request_id="r-1")
THERE = Origin(client="198.51.100.4", user_agent="curl", request_id="r-2")
WRONG = "not the password!"


def _events(user_id: str) -> list[tuple[str, str, int]]:
    """The account's events, newest first: kind, client, milliseconds."""
    return [(e.kind, e.client, int(e.at)) for e in activity.recent(user_id).items]


def _every_event() -> list[str]:
    """Every event in the activity table, any account's, sorted by kind (a scan: tests only)."""
    return sorted(e.kind for e in EventRecord.scan() if e.sk.startswith(EVENT_PREFIX))


@pytest.fixture
def noon() -> int:
    """A moment to freeze: events carry it, to the millisecond (a minute ahead: after what a
    test does first, within its tokens' lifetime)."""
    return int(time.time()) + 60


@pytest.fixture
def susan() -> users.User:
    user = accounts.register("susan", "susan@example.com", PASSWORD, origin=THERE)
    settle_mail()
    return user


def test_registration_records_registered_inside_its_transaction(noon: int) -> None:
    with time_machine.travel(noon, tick=False):
        user = accounts.register("susan", "susan@example.com", PASSWORD, origin=HERE)
    assert _events(user.id) == [("registered", HERE.client, noon * 1000)]
    event = activity.recent(user.id).items[0]
    assert (event.user_agent, event.request_id) == (HERE.user_agent, HERE.request_id)


def test_a_refused_registration_records_nothing(susan: users.User) -> None:
    with pytest.raises(Exception, match="different"):
        accounts.register("susan", "other@example.com", PASSWORD, origin=HERE)
    with pytest.raises(Exception, match="different"):
        accounts.register("other", "susan@example.com", PASSWORD, origin=HERE)
    assert _every_event() == ["registered"]


def test_a_failed_sign_in_is_recorded_for_an_existing_account_only(
    susan: users.User, noon: int
) -> None:
    with time_machine.travel(noon, tick=False), pytest.raises(AuthenticationError):
        accounts.authenticate("susan", WRONG, "203.0.113.9", origin=HERE)
    with pytest.raises(AuthenticationError):
        accounts.authenticate("nobody", WRONG, "203.0.113.9", origin=HERE)
    assert _events(susan.id)[0] == ("sign_in_failed", HERE.client, noon * 1000)
    assert _every_event() == ["registered", "sign_in_failed"]
    accounts.authenticate("susan", PASSWORD, "203.0.113.9", origin=HERE)  # not ours to record
    assert len(_every_event()) == 2


def test_the_lock_is_recorded_once_when_imposed(susan: users.User, noon: int) -> None:
    most = get_settings().login_max_failures
    for attempt in range(most + 3):
        with time_machine.travel(noon + attempt, tick=False), pytest.raises(AuthenticationError):
            accounts.authenticate("susan", PASSWORD if attempt > most else WRONG, origin=HERE)
    kinds = [kind for kind, _, _ in reversed(_events(susan.id))]
    assert kinds == [
        "registered",
        *["sign_in_failed"] * most,
        "locked",
        "sign_in_failed",
        "sign_in_failed",
    ]
    locked = next(event for event in _events(susan.id) if event[0] == "locked")
    assert locked == ("locked", HERE.client, (noon + most) * 1000)


def _lock(most: int) -> None:
    for _ in range(most + 1):
        with pytest.raises(AuthenticationError):
            accounts.authenticate("susan", WRONG, origin=THERE)


def _reset_token(origin: Origin = THERE) -> str:
    password_reset.request_reset("susan@example.com", "192.0.2.1", origin=origin)
    drain_queue()
    return token_from(sent_mail()[-1], RESET)


def test_a_reset_records_its_completion_and_the_lock_it_lifts(susan: users.User, noon: int) -> None:
    _lock(get_settings().login_max_failures)
    token = _reset_token()
    with time_machine.travel(noon, tick=False):
        password_reset.confirm_reset(token, NEW_PASSWORD, HERE)
    assert set(_events(susan.id)[:2]) == {  # the same millisecond: either comes first
        ("unlocked", HERE.client, noon * 1000),
        ("reset_completed", HERE.client, noon * 1000),
    }
    assert accounts.authenticate("susan", NEW_PASSWORD).id == susan.id


def test_a_reset_with_no_lock_in_force_records_no_unlocking(susan: users.User) -> None:
    password_reset.confirm_reset(_reset_token(), NEW_PASSWORD, HERE)
    assert "unlocked" not in _every_event()


def test_a_used_reset_token_records_nothing_more(susan: users.User) -> None:
    token = _reset_token()
    password_reset.confirm_reset(token, NEW_PASSWORD, HERE)
    before = _every_event()
    with pytest.raises(InvalidTokenError):
        password_reset.confirm_reset(token, "yet another password", HERE)
    assert _every_event() == before


def test_the_worker_records_a_reset_request_with_its_requester_and_time(
    susan: users.User, noon: int
) -> None:
    with time_machine.travel(noon, tick=False):
        password_reset.request_reset("susan@example.com", "192.0.2.1", origin=HERE)
    assert _every_event() == ["registered"]  # the request path writes nothing
    drain_queue()
    assert _events(susan.id)[0] == ("reset_requested", HERE.client, noon * 1000)
    assert _every_event().count("reset_requested") == 1


def test_a_reset_request_for_an_unknown_address_records_nothing() -> None:
    password_reset.request_reset("nobody@example.com", "192.0.2.1", origin=HERE)
    drain_queue()
    assert _every_event() == []


def test_a_redelivered_reset_job_records_one_event(susan: users.User) -> None:
    password_reset.queue_jobs(["susan@example.com"], HERE)
    job = json.dumps({"type": "password_reset_requested", "email": "susan@example.com"})
    for _ in range(3):
        run_worker(sqs_event(sqs_record(job, "job-1")))
    assert _every_event().count("reset_requested") == 1


def test_a_password_change_is_recorded_and_a_wrong_password_records_nothing(
    susan: users.User, noon: int
) -> None:
    with pytest.raises(AuthenticationError):
        accounts.change_password(susan, WRONG, NEW_PASSWORD, SESSION, HERE)
    assert _every_event() == ["registered"]
    with time_machine.travel(noon, tick=False):
        accounts.change_password(susan, PASSWORD, NEW_PASSWORD, SESSION, HERE)
    assert _events(susan.id)[0] == ("password_changed", HERE.client, noon * 1000)


def test_confirming_the_address_is_recorded_once(susan: users.User, noon: int) -> None:
    token = users.issue_token(susan, tokens.Purpose.VERIFY_EMAIL, 600, address=susan.email)
    with time_machine.travel(noon, tick=False):
        verifying.confirm(token, HERE)
    with pytest.raises(InvalidTokenError):
        verifying.confirm(token, HERE)
    assert _events(susan.id)[0] == ("verification_confirmed", HERE.client, noon * 1000)
    assert _every_event().count("verification_confirmed") == 1


def test_a_change_of_address_is_recorded_when_asked_for_and_when_made(
    susan: users.User, noon: int
) -> None:
    with time_machine.travel(noon, tick=False):
        email_change.request_change(susan, PASSWORD, "susan@new.example", SESSION, HERE)
    assert _events(susan.id)[0] == ("address_change_requested", HERE.client, noon * 1000)
    token = change_link(susan, "susan@new.example")  # asks again: a second request
    with time_machine.travel(noon + 60, tick=False):
        verifying.confirm(token, THERE)
    assert _events(susan.id)[0] == ("address_changed", THERE.client, (noon + 60) * 1000)
    assert _every_event().count("address_changed") == 1


def test_a_change_to_an_address_taken_meanwhile_records_nothing(susan: users.User) -> None:
    token = change_link(susan, "taken@example.com")
    accounts.register("bob", "taken@example.com", PASSWORD)
    before = _every_event()
    with pytest.raises(AddressTakenError):
        verifying.confirm(token, HERE)
    assert _every_event() == before
    assert "address_changed" not in before


def test_a_wrong_password_asks_for_no_change_and_records_nothing(susan: users.User) -> None:
    with pytest.raises(AuthenticationError):
        email_change.request_change(susan, WRONG, "susan@new.example", SESSION, HERE)
    assert _every_event() == ["registered"]


def test_a_cancelled_change_is_recorded_and_nothing_to_cancel_records_nothing(
    susan: users.User, noon: int
) -> None:
    email_change.cancel_change(susan, HERE)
    assert _every_event() == ["registered"]
    email_change.request_change(susan, PASSWORD, "susan@new.example", SESSION, HERE)
    with time_machine.travel(noon, tick=False):
        email_change.cancel_change(susan, HERE)
    assert _events(susan.id)[0] == ("address_change_cancelled", HERE.client, noon * 1000)


def test_the_breach_response_records_a_forced_reset_by_the_operators(
    susan: users.User, noon: int
) -> None:
    with time_machine.travel(noon, tick=False):
        accounts.void_password(susan.id)
    assert _events(susan.id)[0] == ("forced_reset", "operator", noon * 1000)
    assert accounts.void_password("no-such-account") is None
    assert _every_event().count("forced_reset") == 1
