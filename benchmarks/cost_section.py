"""The cost section of the table: measured calls and CPU time, priced (benchmarks/cost.py)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from chalice.test import Client

from benchmarks import cost as costs
from benchmarks.latency import LATENCY
from benchmarks.sections import PASSWORD, drain_queue, job_record, post
from benchmarks.table import Table
from chalicelib import worker
from chalicelib.auth import login, passwords, throttle

LOGINS_PER_MAU = 10
RESETS_PER_MAU = 0.05
FLOOD = 1_000_000  # refused logins, for the bound on the bill (security.md)


def cpu_seconds(action: Callable[[], object], rounds: int = 10) -> float:
    """Median CPU time of `action`, every thread of this process counted.

    It includes moto's own work on the emulated calls, so it is a little more than Lambda
    would bill for our code.
    """
    samples = []
    for _ in range(rounds):
        started = time.process_time()
        action()
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def _calls(action: Callable[[], object]) -> tuple[tuple[str, int], ...]:
    recorded = LATENCY.record()
    action()
    LATENCY.recording = False
    return tuple(recorded)


def cost(table: Table, client: Client) -> None:
    table.section("cost (prices: benchmarks/prices.json)")
    prices = costs.prices()
    login = {"username": "susan", "password": PASSWORD}

    def request() -> object:
        return post(client, "/api/password-reset", {"email": "susan@example.com"})

    def job() -> object:
        return worker.handle_batch({"Records": [job_record("susan@example.com")]})

    def log_in() -> object:
        return post(client, "/api/tokens", login)

    request_calls, job_calls, login_calls = _calls(request), _calls(job), _calls(log_in)
    request_cpu, job_cpu, login_cpu = cpu_seconds(request), cpu_seconds(job), cpu_seconds(log_in)
    drain_queue()
    reset = costs.Operation(
        api_requests=1,
        lambda_requests=1 + 0.1,  # the API call, a tenth of a worker batch
        gb_seconds=costs.gb_seconds("api_handler", request_cpu, costs.wait_seconds(request_calls))
        + costs.gb_seconds("mail_worker", job_cpu, costs.wait_seconds(job_calls)),
        # Lambda's SQS poller receives and deletes in batches; counted whole for each reset.
        calls=(
            *request_calls,
            *job_calls,
            ("sqs.ReceiveMessage", 1),
            ("sqs.DeleteMessageBatch", 1),
        ),
    )
    per_reset = costs.breakdown(reset, prices)
    ses = per_reset.pop("ses")
    rest = sum(per_reset.values())
    floor = prices["api_gateway_rest_per_request"]
    whole = len(request_calls) + len(job_calls)
    table.add(
        "AWS calls per whole reset",
        f"{whole:7d}",
        f"request {len(request_calls)} + worker {len(job_calls)}; goal <= 8",
    )
    table.add("per 1,000 resets, SES", f"${ses * 1000:8.4f}", "SES's own price per 1,000 emails")
    table.add(
        "per 1,000 resets, all else",
        f"${rest * 1000:8.4f}",
        f"{rest / ses:6.1%} of SES; goal <= 10% (API Gateway REST alone: {floor / ses:.1%})",
    )
    login_wait = costs.wait_seconds(login_calls)
    login_gbs = costs.gb_seconds("api_handler", login_cpu, login_wait)
    per_login = costs.breakdown(costs.Operation(1, 1, login_gbs, login_calls), prices)
    writes = sum(1 for name, _ in login_calls if name.split(".")[1] in costs.DYNAMODB_WRITES)
    table.add(
        "per 1,000 logins",
        f"${sum(per_login.values()) * 1000:8.4f}",
        f"Lambda ${per_login['lambda'] * 1000:.4f} ({login_cpu * 1000:.0f} ms CPU, "
        f"{login_wait * 1000:.0f} ms waiting), API Gateway ${per_login['apigateway'] * 1000:.4f}, "
        f"DynamoDB ${per_login.get('dynamodb', 0.0) * 1000:.4f} "
        f"({len(login_calls) - writes} reads, {writes} writes)",
    )
    mau = LOGINS_PER_MAU * sum(per_login.values()) + RESETS_PER_MAU * (rest + ses)
    cognito = prices["cognito_lite_per_mau"]
    table.add(
        f"per 1,000 MAU ({LOGINS_PER_MAU} logins, {RESETS_PER_MAU} resets)",
        f"${mau * 1000:8.4f}",
        f"1/{cognito / mau:.0f} of Cognito Lite (${cognito * 1000:.2f}/1,000 MAU); goal <= 1/50",
    )
    refused_login(table, client, prices)
    table.add(
        "Cognito Essentials per 1,000 MAU",
        f"${prices['cognito_essentials_per_mau'] * 1000:8.2f}",
        f"prices checked {prices['date']}",
    )


def refused_login(table: Table, client: Client, prices: dict[str, float]) -> None:
    """A flood of logins from a client over its cap: refused before argon2id runs, so each
    costs API Gateway, a short Lambda invocation and the DynamoDB writes that count it.

    Where the refusal still runs the dummy argon2id verification, its CPU (measured here on
    its own) is left out of the figure, and the row says so.
    """
    throttle.hit(login.LOGIN_CLIENT_SCOPE, "127.0.0.1", 3600, amount=10**6)  # over its cap
    wrong = {"username": "susan", "password": "not the password"}

    def refused() -> object:
        return post(client, "/api/tokens", wrong)

    calls, cpu = _calls(refused), cpu_seconds(refused)
    hashing = cpu_seconds(lambda: passwords.verify_password(passwords.dummy_hash(), "x"))
    still_hashes = cpu > hashing
    own_cpu = cpu - hashing if still_hashes else cpu
    wait = costs.wait_seconds(calls)
    gbs = costs.gb_seconds("api_handler", own_cpu, wait)
    dollars = costs.breakdown(costs.Operation(1, 1, gbs, calls), prices)
    writes = sum(1 for name, _ in calls if name.split(".")[1] in costs.DYNAMODB_WRITES)
    note = " (argon2id's measured CPU taken out)" if still_hashes else ""
    api, function = dollars["apigateway"] * FLOOD, dollars["lambda"] * FLOOD
    table.add(
        f"per {FLOOD:,} refused logins",
        f"${sum(dollars.values()) * FLOOD:8.2f}",
        f"API Gateway ${api:.2f}, Lambda ${function:.2f} ({own_cpu * 1000:.1f} ms CPU + "
        f"{wait * 1000:.0f} ms waiting{note}), DynamoDB ${dollars.get('dynamodb', 0.0) * FLOOD:.2f}"
        f" ({len(calls) - writes} reads, {writes} writes)",
    )
