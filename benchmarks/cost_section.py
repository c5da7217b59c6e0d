"""The cost section of the table: measured calls and durations, priced (benchmarks/cost.py)."""

from __future__ import annotations

import statistics

from chalice.test import Client

from benchmarks import cost as costs
from benchmarks.sections import PASSWORD, _job, _post, timed
from benchmarks.table import Table
from chalicelib import worker


def cost(table: Table, client: Client, measured: dict[str, float]) -> None:
    from benchmarks.latency import LATENCY as calls

    table.section("cost (prices: benchmarks/prices.json)")
    prices = costs.prices()
    login = {"username": "susan", "password": PASSWORD}
    recorded = calls.record()
    _post(client, "/api/password-reset", {"email": "susan@example.com"})
    worker.handle_batch({"Records": [_job("susan@example.com")]})
    reset_calls = tuple(recorded)
    recorded = calls.record()
    _post(client, "/api/tokens", login)
    login_calls = tuple(recorded)
    calls.recording = False
    login_s = statistics.median(timed(lambda: _post(client, "/api/tokens", login), 10)) / 1000
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
