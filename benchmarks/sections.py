"""The benchmarks, one function per section of the table."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice.test import Client

from benchmarks.table import Table
from chalicelib import aws

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import DeleteMessageBatchRequestEntryTypeDef

JSON = {"Content-Type": "application/json"}
PASSWORD = "a fine long password"
_ids = iter(range(10**9))


def timed(
    action: Callable[[], object], rounds: int, after: Callable[[], object] | None = None
) -> list[float]:
    """Milliseconds per run of `action`; `after` runs between runs, outside the timing."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
        if after is not None:
            after()
    return samples


def drain_queue() -> None:
    """Take everything off the mail queue, as the worker does between requests on AWS.

    moto's SendMessage walks every message in the queue (it recounts the queue's
    attributes on each send), so a queue left to grow makes each later request slower:
    at a few hundred messages that was most of the reset request's p95 here. SQS's
    SendMessage does not depend on the queue's depth, so the timed requests see an empty
    queue, as they would with the worker consuming it.
    """
    sqs, url = aws.sqs(), aws.queue_url()
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages", []):
        entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)


def post(client: Client, path: str, body: dict[str, str], **headers: str) -> Any:
    return client.http.post(path, body=json.dumps(body), headers={**JSON, **headers})


def job_record(email: str) -> dict[str, Any]:
    message_id = f"bench-{next(_ids)}"
    return {
        "messageId": message_id,
        "receiptHandle": message_id,
        "body": json.dumps({"type": "password_reset_requested", "email": email}),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:microblog-mail",
        "awsRegion": "us-east-1",
    }


def _reset_token(client: Client) -> str:
    from chalicelib.auth import password_reset
    from chalicelib.auth.guards import find_by_email
    from chalicelib.auth.users import User, issue_token

    record = find_by_email("susan@example.com")
    assert record is not None
    return issue_token(User.from_record(record), password_reset.PURPOSE, 600)


def routes(table: Table, client: Client) -> None:
    table.section("routes through the Chalice test client on moto (argon2id included)")
    post(
        client,
        "/api/users",
        {"username": "susan", "email": "susan@example.com", "password": PASSWORD},
    )
    login = {"username": "susan", "password": PASSWORD}
    bearer = "Bearer " + post(client, "/api/tokens", login).json_body["access_token"]
    cheap: dict[str, Callable[[], object]] = {
        "GET /": lambda: client.http.get("/"),
        "GET /login": lambda: client.http.get("/login"),
        "GET /register": lambda: client.http.get("/register"),
        "GET /reset_password_request": lambda: client.http.get("/reset_password_request"),
        "GET /reset_password/<token>": lambda: client.http.get(
            f"/reset_password/{_reset_token(client)}"
        ),
        "GET /api/health": lambda: client.http.get("/api/health"),
        "GET /api/users/me": lambda: client.http.get(
            "/api/users/me", headers={"Authorization": bearer}
        ),
        "POST /api/password-reset (known)": lambda: post(
            client, "/api/password-reset", {"email": "susan@example.com"}
        ),
        "POST /api/password-reset (unknown)": lambda: post(
            client, "/api/password-reset", {"email": "nobody@example.com"}
        ),
    }
    for name, action in cheap.items():
        action()
        drain_queue()
        samples = timed(action, 100, after=drain_queue)
        table.timings(name, samples, "goal p95 < 15 ms" if "reset (" in name else "")
    hashed: dict[str, Callable[[], object]] = {
        "POST /api/users (argon2id hash)": lambda: post(
            client,
            "/api/users",
            {
                "username": f"u{next(_ids)}",
                "email": f"u{next(_ids)}@example.com",
                "password": PASSWORD,
            },
        ),
        "POST /api/tokens (argon2id verify)": lambda: post(client, "/api/tokens", login),
        "POST /api/tokens unknown (dummy verify)": lambda: post(
            client, "/api/tokens", {"username": "ghost", "password": PASSWORD}
        ),
    }
    for name, action in hashed.items():
        table.timings(name, timed(action, 20))
