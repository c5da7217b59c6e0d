"""Breach response: every password made unusable, then every user mailed one reset link.

make force-reset STAGE=<stage> YES=1     (without YES=1 it asks first, at a terminal only)

For the day a password database leaks. Each account's password is voided the one way the app
does it (accounts.void_password: an unusable hash and a fresh security stamp), so the old
password no longer logs in and every session, access token and link ends; a login for such
an account fails like any other. Then a reset job per account goes on the mail queue, ten to a
SendMessageBatch (password_reset.queue_jobs, which a reset request uses too), and the worker
mails each one through the usual pipeline (idempotent, suppression honoured, paced by the SES
rate).
The users table is read with a parallel Scan (the only Scan in the project). The enqueueing is
paced by the same rate, so the queue never holds more than the worker can send meanwhile.
The stage's settings come from .chalice/config.json (ops/admin/stage.py); STAGE=local is
`make dev`'s stage, and AWS_ENDPOINT_URL is honoured.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chalicelib import aws
from chalicelib.auth import accounts, password_reset
from chalicelib.auth.activity import Origin
from chalicelib.mail import pacing
from chalicelib.models import USER_PREFIX
from chalicelib.settings import get_settings
from ops.admin.stage import add_stage_argument, use_stage
from ops.cli import operator_errors
from ops.stages import cli_logging

log = logging.getLogger("force-reset")
SEGMENTS = 4  # parallel Scan segments (and threads)
SQS_BATCH = password_reset.SQS_BATCH  # jobs queued at once
OPERATOR = Origin(client="operator")  # who the accounts' events say did it


@dataclass
class Summary:
    users: int = 0
    queued: int = 0


def _segment(segment: int) -> Iterator[dict[str, Any]]:
    """The accounts in one Scan segment (uniqueness guards and other items skipped)."""
    paginator = aws.dynamodb().get_paginator("scan")
    pages = paginator.paginate(
        TableName=get_settings().users_table,
        Segment=segment,
        TotalSegments=SEGMENTS,
        FilterExpression="begins_with(pk, :prefix)",
        ExpressionAttributeValues={":prefix": {"S": USER_PREFIX}},
        ProjectionExpression="user_id",
    )
    for page in pages:
        yield from page.get("Items", [])


def _queue_jobs(addresses: list[str], pacer: pacing.Pacer) -> int:
    for _ in addresses:
        pacer.wait()
    password_reset.queue_jobs(addresses, OPERATOR)
    return len(addresses)


def _run_segment(segment: int, pacer: pacing.Pacer) -> Summary:
    summary, pending = Summary(), []
    for item in _segment(segment):
        user = accounts.void_password(item["user_id"]["S"], OPERATOR)
        if user is None:  # deleted since the Scan read it
            continue
        summary.users += 1
        pending.append(user.email)
        if len(pending) == SQS_BATCH:
            summary.queued += _queue_jobs(pending, pacer)
            pending = []
    if pending:
        summary.queued += _queue_jobs(pending, pacer)
    return summary


def force_reset(pacer: pacing.Pacer | None = None) -> Summary:
    """Void every password, then queue one reset job per account; returns the counts.

    Each job waits for its slot at `pacer`: by default the account's SES rate, at which all
    the worker's containers together send, so the queue stays short. (The benchmark passes
    its own: the emulator delivers far below the rate it claims.)
    """
    for make_client in (aws.dynamodb, aws.sqs, aws.ses):
        make_client()
    aws.queue_url()
    pacer = pacer or pacing.Pacer(pacing.account_send_rate())
    with ThreadPoolExecutor(max_workers=SEGMENTS) as pool:
        parts = list(pool.map(lambda s: _run_segment(s, pacer), range(SEGMENTS)))
    return Summary(sum(p.users for p in parts), sum(p.queued for p in parts))


def confirmed(stage: str, yes: bool, ask: Callable[[str], str] = input) -> bool:
    """YES=1, or a "y" typed at the question."""
    if yes:
        return True
    answer = ask(f"Void EVERY password of stage {stage!r} and mail everyone a link? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


@operator_errors("force-reset")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make force-reset", description=__doc__.split("\n")[0])
    add_stage_argument(parser)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    args = parser.parse_args(argv)
    cli_logging()
    stage = args.stage or "(the environment's)"
    if not args.yes and not sys.stdin.isatty():
        print(
            f"force-reset refused: nothing to ask for confirmation (no terminal); to void every "
            f"password of stage {stage} and mail everyone a link, run it with YES=1",
            file=sys.stderr,
        )
        return 2
    if not confirmed(stage, args.yes):
        log.info("nothing done")
        return 1
    use_stage(args.stage)
    started = time.perf_counter()
    summary = force_reset()
    elapsed = time.perf_counter() - started
    log.info(
        "%d passwords voided, %d reset emails queued in %.1fs",
        summary.users,
        summary.queued,
        elapsed,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
