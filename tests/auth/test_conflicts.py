"""Real DynamoDB cancels writes that meet another transaction (TransactionConflict); moto never
does, so the conflict is injected through botocore's before-call event on the app's own client.
Writes retry a bounded number of times, then answer as the side that lost the race."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from chalice.test import Client

from chalicelib import models
from chalicelib.auth import accounts, guards, users
from chalicelib.errors import ConflictError, StaleWriteError
from chalicelib.models import UserRecord
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.web import post_json


class Conflicts:
    """Answers the first `times` calls with a transaction conflict, then lets moto answer."""

    def __init__(self, times: int, code: str, reasons: int = 0) -> None:
        self.times, self.code, self.reasons, self.calls = times, code, reasons, 0

    def before_call(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        self.calls += 1
        if self.calls > self.times:
            return None
        error: dict[str, Any] = {"Code": self.code, "Message": "Transaction is ongoing"}
        parsed: dict[str, Any] = {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        if self.reasons:
            parsed["CancellationReasons"] = [
                {"Code": "TransactionConflict", "Message": "conflict"}
            ] + [{"Code": "None"}] * (self.reasons - 1)
        return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", 400, {}, None), parsed


@contextmanager
def conflicts(client: Any, operation: str, injector: Conflicts) -> Iterator[Conflicts]:
    event, key = f"before-call.dynamodb.{operation}", f"conflicts-{id(injector)}"
    client.meta.events.register(event, injector.before_call, unique_id=key)
    try:
        yield injector
    finally:
        client.meta.events.unregister(event, unique_id=key)


def _register_conflicts(times: int) -> Conflicts:
    return Conflicts(times, "TransactionCanceledException", reasons=3)


def test_registration_retries_a_transaction_conflict(client: Client) -> None:
    connection = models.transaction_connection()
    with conflicts(connection.client, "TransactWriteItems", _register_conflicts(2)) as injected:
        body = {"username": "racer", "email": "racer@example.com", "password": PASSWORD}
        response = post_json(client, "/api/users", body)
    assert response.status_code == 201, response.body
    assert injected.calls == 3
    assert guards.find_by_login("racer") is not None


def test_registration_that_keeps_conflicting_answers_as_the_loser(client: Client) -> None:
    connection = models.transaction_connection()
    with conflicts(connection.client, "TransactWriteItems", _register_conflicts(99)) as injected:
        body = {"username": "racer", "email": "racer@example.com", "password": PASSWORD}
        response = post_json(client, "/api/users", body)
    assert response.status_code == 409
    assert response.json_body["error"] == "username_taken"
    assert injected.calls == models.WRITE_ATTEMPTS
    assert guards.find_by_login("racer") is None


def _susan_record(susan: dict[str, Any]) -> UserRecord:
    record = users.load_record(susan["id"])
    assert record is not None
    return record


def test_a_password_write_retries_a_transaction_conflict(susan: dict[str, Any]) -> None:
    dynamodb = UserRecord._get_connection().connection.client
    with conflicts(dynamodb, "UpdateItem", Conflicts(2, "TransactionConflictException")):
        accounts.replace_password(_susan_record(susan), NEW_PASSWORD)
    assert accounts.authenticate("susan", NEW_PASSWORD)


def test_a_password_write_that_keeps_conflicting_loses_the_race(
    client: Client, susan: dict[str, Any]
) -> None:
    dynamodb = UserRecord._get_connection().connection.client
    record = _susan_record(susan)
    with (
        conflicts(dynamodb, "UpdateItem", Conflicts(99, "TransactionConflictException")),
        pytest.raises(StaleWriteError),
    ):
        accounts.replace_password(record, NEW_PASSWORD)
    assert accounts.authenticate("susan", PASSWORD)


def test_conflicts_are_not_mistaken_for_taken_names() -> None:
    accounts.register("first", "first@example.com", PASSWORD)
    with pytest.raises(ConflictError) as taken:
        accounts.register("first", "second@example.com", PASSWORD)
    assert taken.value.field == "username"
    with pytest.raises(ConflictError) as taken:
        accounts.register("second", "first@example.com", PASSWORD)
    assert taken.value.field == "email"
