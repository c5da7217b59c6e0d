"""The benchmarks, one function per section of the table."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from chalice.test import Client

from benchmarks import cost as costs
from benchmarks.table import Table
from chalicelib import worker

JSON = {"Content-Type": "application/json"}
PASSWORD = "a fine long password"
_ids = iter(range(10**9))


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


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
    from chalicelib.auth.users import User, find_by_email, issue_token

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
        table.timings(name, timed(action, 100), "goal p95 < 15 ms" if "reset (" in name else "")
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


def cost(table: Table, client: Client, measured: dict[str, float]) -> None:
    from benchmarks.latency import LATENCY as calls

    table.section("cost (prices: benchmarks/prices.json)")
    prices = costs.prices()
    login = {"username": "susan", "password": PASSWORD}
    recorded = calls.record()
    post(client, "/api/password-reset", {"email": "susan@example.com"})
    worker.handle_batch({"Records": [job_record("susan@example.com")]})
    reset_calls = tuple(recorded)
    recorded = calls.record()
    post(client, "/api/tokens", login)
    login_calls = tuple(recorded)
    calls.recording = False
    login_s = statistics.median(timed(lambda: post(client, "/api/tokens", login), 10)) / 1000
    login_s += 3 * 0.005  # its three DynamoDB round trips, as the latency model has them
    reset = costs.Operation(
        api_requests=1,
        lambda_requests=1 + 0.1,  # the API call, a tenth of a worker batch
        gb_seconds=costs.gb_seconds("api_handler", measured["request_s"])
        + costs.gb_seconds("mail_worker", measured["job_batch_s"] / 10),
        calls=(*reset_calls, ("sqs.ReceiveMessage", 1), ("sqs.DeleteMessageBatch", 1)),
    )
    per_reset = costs.breakdown(reset, prices)
    ses = per_reset.pop("ses")
    rest = sum(per_reset.values())
    floor = prices["api_gateway_rest_per_request"]
    table.add(
        "AWS calls per whole reset", f"{len(reset_calls):7d}", "request 3 + worker 5; goal <= 8"
    )
    table.add("per 1,000 resets, SES", f"${ses * 1000:8.4f}", "SES's own price per 1,000 emails")
    table.add(
        "per 1,000 resets, all else",
        f"${rest * 1000:8.4f}",
        f"{rest / ses:6.1%} of SES; goal <= 10% (API Gateway REST alone: {floor / ses:.1%})",
    )
    login_op = costs.Operation(1, 1, costs.gb_seconds("api_handler", login_s), login_calls)
    per_login = sum(costs.breakdown(login_op, prices).values())
    mau = 10 * per_login + 0.05 * (rest + ses)
    cognito = prices["cognito_lite_per_mau"]
    table.add(
        "per 1,000 MAU (10 logins, 0.05 resets)",
        f"${mau * 1000:8.4f}",
        f"1/{cognito / mau:.0f} of Cognito Lite (${cognito * 1000:.2f}/1,000 MAU); goal <= 1/50",
    )
    table.add(
        "Cognito Essentials per 1,000 MAU",
        f"${prices['cognito_essentials_per_mau'] * 1000:8.2f}",
        f"prices as of {prices['date']}",
    )
