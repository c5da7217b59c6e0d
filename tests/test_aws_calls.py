"""AWS calls per operation, at the floor each operation's guarantees allow.

Counted with botocore's before-call event (tests/helpers/awscalls.py), boto3 and PynamoDB
alike, after one warm-up of each operation so that once-per-container lookups (the queue's
URL, the signing keyring) are not counted. The queue plumbing Lambda's SQS mapping does
(ReceiveMessage, DeleteMessageBatch) is not the app's and is not counted either: the tests
invoke the worker with Lambda-shaped events.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from chalice.test import Client

from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, VERIFY, drain_queue, run_worker, sent_mail, token_from
from tests.helpers.mailkit import sqs_record
from tests.helpers.web import post_json

_job_ids = iter(range(1_000_000))


def _calls(action: Callable[[], Any]) -> Counter[str]:
    calls = AWS_CALLS.record()
    try:
        action()
    finally:
        AWS_CALLS.recording = False
    return Counter(calls)


def _record(body: str) -> dict[str, Any]:
    """A Lambda-shaped record with a fresh message id (each job makes its own email id)."""
    return sqs_record(body, f"job-{next(_job_ids)}")


def _register(client: Client, name: str) -> None:
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    assert post_json(client, "/api/users", body).status_code == 201


def _reset(client: Client, email: str) -> None:
    assert post_json(client, "/api/password-reset", {"email": email}).status_code == 202
    drain_queue()


def test_registration_is_one_transaction_two_counters_and_its_link(client: Client) -> None:
    _register(client, "warm")
    # The per-client registration cap and the address's verification-mail cap (one UpdateItem
    # ADD each), one TransactWriteItems (the account and its two uniqueness guards, all or
    # nothing), and the verification email's enqueue.
    assert _calls(lambda: _register(client, "susan")) == {
        "dynamodb.UpdateItem": 2,
        "dynamodb.TransactWriteItems": 1,
        "sqs.SendMessage": 1,
    }


def test_a_login_takes_seven_calls(client: Client, susan: dict[str, Any]) -> None:
    def login() -> None:
        body = {"username": "susan", "password": PASSWORD}
        assert post_json(client, "/api/tokens", body).status_code == 200

    login()
    # A client that is no trusted device of the account (tests/test_aws_calls_devices.py
    # counts one that is: five calls). The name guard and the account (two GetItems, the
    # second needs the first's user id; they tell whether a device token is the account's),
    # the client's failure cap (UpdateItem ADD: over it, the login is refused here, before
    # argon2 runs) and the account's sliding failure counter (UpdateItem ADD), made before
    # the password is checked so that every outcome costs the same; a success
    # clears the account's counter (DeleteItem) and takes its hit back from the client's cap
    # (UpdateItem ADD -1), which counts failures only. The new session and its signed_in
    # event are one transaction (TransactWriteItems).
    assert _calls(login) == {
        "dynamodb.UpdateItem": 3,
        "dynamodb.GetItem": 2,
        "dynamodb.DeleteItem": 1,
        "dynamodb.TransactWriteItems": 1,
    }


def test_a_reset_request_takes_three_calls_alike_for_known_and_unknown(
    client: Client, susan: dict[str, Any]
) -> None:
    def request(email: str) -> Callable[[], Any]:
        return lambda: post_json(client, "/api/password-reset", {"email": email})

    request("warm@example.com")()
    known, unknown = _calls(request("susan@example.com")), _calls(request("nobody@example.com"))
    # Two counters (per address, per client: one UpdateItem ADD each) and the job's enqueue.
    # Nothing is looked up: the worker decides whether mail goes out.
    assert known == unknown == {"dynamodb.UpdateItem": 2, "sqs.SendMessage": 1}


def test_a_whole_reset_takes_eight_calls(client: Client, susan: dict[str, Any]) -> None:
    _reset(client, "susan@example.com")
    calls = _calls(lambda: _reset(client, "susan@example.com"))
    # Request: 2 counters + 1 enqueue. Worker, in the same invocation that took the job:
    # 1 BatchGetItem (email guard + suppression entry, two tables), 1 GetItem (the account,
    # keyed by the guard's user id), then delivery: claim the idempotency record with the
    # account's reset_requested event in the same write (TransactWriteItems), send (SES),
    # mark it done (UpdateItem).
    assert calls == {
        "dynamodb.UpdateItem": 3,
        "dynamodb.TransactWriteItems": 1,
        "sqs.SendMessage": 1,
        "dynamodb.BatchGetItem": 1,
        "dynamodb.GetItem": 1,
        "ses.SendRawEmail": 1,
    }
    assert sum(calls.values()) == 8
    assert len(sent_mail()) == 2


def test_a_reset_job_for_an_unknown_address_takes_one_read(client: Client) -> None:
    job = json.dumps({"type": "password_reset_requested", "email": "nobody@example.com"})
    run_worker({"Records": [_record(job)]})
    # The batched guard + suppression read finds no guard: nothing more is read or sent.
    calls = _calls(lambda: run_worker({"Records": [_record(job)]}))
    assert calls == {"dynamodb.BatchGetItem": 1}


def test_a_reset_confirmation_takes_five_calls_and_its_notice_four(
    client: Client, susan: dict[str, Any]
) -> None:
    _reset(client, "susan@example.com")
    _reset(client, "susan@example.com")
    first, second = (token_from(m, RESET) for m in sent_mail())

    def confirm(token: str, password: str) -> Callable[[], Any]:
        body = {"token": token, "password": password}
        return lambda: post_json(client, "/api/password-reset/confirm", body)

    assert confirm(first, NEW_PASSWORD)().status_code == 200
    password = "a third quite long password"
    calls = _calls(confirm(second, password))  # the first reset voided this token
    assert calls == {"dynamodb.GetItem": 1}  # the account, to compare the stamp
    calls = _calls(confirm(token_from(_fresh_reset(client), RESET), password))
    # The account (GetItem), the conditional password write (UpdateItem), its reset_completed
    # event (PutItem), the account's login
    # lock lifted (DeleteItem: the link proved the mailbox) and the "password changed" notice's
    # enqueue (SendMessage): a completed change is always told to a verified address, so no
    # notice counter is spent (the resets are capped instead); then its delivery: claim,
    # suppression read (BatchGetItem), send, mark done.
    assert calls == {
        "dynamodb.GetItem": 1,
        "dynamodb.UpdateItem": 1,
        "dynamodb.PutItem": 1,
        "dynamodb.DeleteItem": 1,
        "sqs.SendMessage": 1,
    }
    notice = _calls(drain_queue)
    assert notice == {"dynamodb.UpdateItem": 2, "dynamodb.BatchGetItem": 1, "ses.SendRawEmail": 1}


def _fresh_reset(client: Client) -> Any:
    before = len(sent_mail())
    _reset(client, "susan@example.com")
    drain_queue()  # the earlier notices
    return next(m for m in sent_mail()[before:] if "Reset" in str(m.message["Subject"]))


def test_a_password_change_takes_eight_calls(client: Client, susan: dict[str, Any]) -> None:
    # susan's address is unverified: the "password changed" notice is withheld (and not
    # counted), so no counter and no enqueue for it here.
    body = {"username": "susan", "password": PASSWORD}
    token = post_json(client, "/api/tokens", body).json_body["access_token"]

    def change(current: str, new: str) -> Any:
        body = {"current_password": current, "new_password": new}
        headers = {"Authorization": f"Bearer {token}"}
        return post_json(client, "/api/users/me/password", body, **headers)

    calls = _calls(lambda: change(PASSWORD, NEW_PASSWORD))
    # The bearer token's account and session (one BatchGetItem), then the current password
    # proved for this session rather than checked like a login (no lock strangers caused
    # applies): the session's wrong-password count (UpdateItem ADD, before argon2 so a
    # session past it costs no hashing), the account by id (GetItem), the count taken back
    # on success (UpdateItem ADD -1); the account's hourly cap on password changes
    # (UpdateItem ADD: every change is told, so the changes are what is capped); then the
    # conditional write (UpdateItem), its password_changed event (PutItem) and the strangers'
    # login lock lifted by the new password (DeleteItem); the fresh tokens it answers with
    # are a new session, stored with its signed_in event (TransactWriteItems).
    assert calls == {
        "dynamodb.BatchGetItem": 1,
        "dynamodb.GetItem": 1,
        "dynamodb.UpdateItem": 4,
        "dynamodb.PutItem": 1,
        "dynamodb.DeleteItem": 1,
        "dynamodb.TransactWriteItems": 1,
    }


def test_confirming_an_address_takes_three_calls(client: Client) -> None:
    before = len(sent_mail())
    _register(client, "ada")
    drain_queue()
    [link_mail] = sent_mail()[before:]
    token = token_from(link_mail, VERIFY)

    def confirm() -> Any:
        body = {"token": token}
        return post_json(client, "/api/email-verification/confirm", body)

    calls = _calls(confirm)
    # The account (GetItem, to check the token's stamp and address) and the conditional
    # write that marks it verified (UpdateItem: security stamp unchanged, not yet verified),
    # which makes the link single-use; then its verification_confirmed event (PutItem).
    assert calls == {"dynamodb.GetItem": 1, "dynamodb.UpdateItem": 1, "dynamodb.PutItem": 1}
