"""Sessions in the domain: what a token check reads and writes, and when a session is over."""

from __future__ import annotations

from collections import Counter

import pytest
import time_machine

from chalicelib.auth import accounts, activity, refresh, sessions, sign_out, tokens
from chalicelib.auth.activity import Origin
from chalicelib.errors import InvalidTokenError, RefreshRefusedError
from tests.helpers.accounts import SESSION, signed_in_token
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.races import together

ACCESS = tokens.Purpose.ACCESS
HERE = Origin(client="198.51.100.4", user_agent="Firefox on Linux", request_id="r-1")
START = 1_900_000_000


def _calls(action: object) -> Counter[str]:
    calls = AWS_CALLS.record()
    try:
        assert callable(action)
        action()
    finally:
        AWS_CALLS.recording = False
    return Counter(calls)


def test_a_token_check_is_one_read_and_notes_its_use_at_most_once_a_minute() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    with time_machine.travel(START, tick=False):
        token = signed_in_token(user, ACCESS)
        assert _calls(lambda: sessions.check(ACCESS, token)) == {"dynamodb.BatchGetItem": 1}
    with time_machine.travel(START + 59, tick=False):
        assert _calls(lambda: sessions.check(ACCESS, token)) == {"dynamodb.BatchGetItem": 1}
    with time_machine.travel(START + 61, tick=False):
        first = _calls(lambda: sessions.check(ACCESS, token))
        assert first == {"dynamodb.BatchGetItem": 1, "dynamodb.UpdateItem": 1}
        assert _calls(lambda: sessions.check(ACCESS, token)) == {"dynamodb.BatchGetItem": 1}
        [view] = sessions.active(user, "")
    assert view.last_used_at == START + 61


def test_a_refresh_is_one_read_and_one_conditional_write() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    grant = refresh.sign_in(user, HERE)
    calls = _calls(lambda: refresh.rotate(grant.refresh_token, HERE))
    assert calls == {"dynamodb.BatchGetItem": 1, "dynamodb.UpdateItem": 1}


def test_a_session_is_live_until_its_lifetime_ends() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    with time_machine.travel(START, tick=False):
        token = signed_in_token(user, tokens.Purpose.SESSION, ttl=600)
    with time_machine.travel(START + 599, tick=False):
        assert sessions.check(tokens.Purpose.SESSION, token).user.id == user.id
    with time_machine.travel(START + 601, tick=False):
        with pytest.raises(InvalidTokenError):
            sessions.check(tokens.Purpose.SESSION, token)
        assert sessions.active(user, "") == []


def test_a_new_password_ends_every_session_in_the_list_too() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = signed_in_token(user, ACCESS)
    changed = accounts.change_password(user, PASSWORD, NEW_PASSWORD, SESSION)
    with pytest.raises(InvalidTokenError):
        sessions.check(ACCESS, token)
    assert sessions.active(changed, "") == []


def test_a_session_ended_twice_records_one_event() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    session_id = sessions.start(user, sessions.Kind.PAGE, 600, HERE)
    sign_out.end_current(user.id, session_id, HERE)
    sign_out.end_current(user.id, session_id, HERE)
    kinds = [event.kind for event in activity.recent(user.id).items]
    assert kinds[0] == "session_ended"  # once; the others may share a millisecond
    assert sorted(kinds[1:]) == ["registered", "signed_in"]
    assert activity.recent(user.id).items[0].client == HERE.client


def test_many_sessions_end_together() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    mine = sessions.start(user, sessions.Kind.API, 600, HERE)
    for _ in range(sign_out.ENDED_PER_TRANSACTION + 3):
        sessions.start(user, sessions.Kind.PAGE, 600, HERE)
    assert sign_out.end_others(user, mine, HERE) == sign_out.ENDED_PER_TRANSACTION + 3
    assert [view.id for view in sessions.active(user, mine)] == [mine]


def test_of_two_concurrent_refreshes_with_one_token_exactly_one_succeeds() -> None:
    """In the domain, in threads: the Chalice test client swaps os.environ per request, so
    two requests at once through it would leave the wrong environment behind."""
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    token = refresh.sign_in(user, HERE).refresh_token
    results = together(2, lambda: refresh.rotate(token, HERE), (RefreshRefusedError,))
    assert sum(isinstance(r, refresh.Grant) for r in results) == 1
    assert sum(isinstance(r, RefreshRefusedError) for r in results) == 1
