"""The breach response at scale: `make force-reset` for 10,000 users on moto, then the worker.

python -m benchmarks.mass_reset [USERS]     (make bench-force-reset)

Every user must get exactly one email, none twice, and the queues must end empty; it prints
users/s (void + enqueue, then delivery) and AWS calls per user.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
from moto.ses import ses_backends  # type: ignore[attr-defined]

import app as app_module
from benchmarks import __main__ as bench_env  # noqa: F401 - the benchmark environment
from benchmarks.latency import LATENCY
from chalicelib import aws
from chalicelib.auth import passwords
from chalicelib.models import EMAIL_PREFIX, USER_PREFIX, Guard, UserRecord
from chalicelib.settings import get_settings
from ops import force_reset, poller
from ops.provision import provision


def _users(count: int) -> None:
    digest, now = passwords.hash_password("a fine long password"), int(time.time())
    with UserRecord.batch_write() as users, Guard.batch_write() as guards:
        for i in range(count):
            email = f"user{i}@example.com"
            users.save(
                UserRecord(
                    f"{USER_PREFIX}u{i}",
                    user_id=f"u{i}",
                    username=f"user{i}",
                    email=email,
                    password_hash=digest,
                    created_at=now,
                    password_changed_at=now,
                )
            )
            guards.save(Guard(EMAIL_PREFIX + email, user_id=f"u{i}"))


def main(count: int) -> int:
    with mock_aws():
        provision(get_settings())
        _users(count)
        recorded = LATENCY.record()
        started = time.perf_counter()
        summary = force_reset.force_reset()
        fanned = time.perf_counter() - started
        fan_calls = len(recorded)
        recorded = LATENCY.record()
        started = time.perf_counter()
        handled = poller.drain(
            aws.sqs(), aws.queue_url(), lambda e, c: app_module.mail_worker(e, c), 10**6
        )
        delivered = time.perf_counter() - started
        LATENCY.recording = False
        app_calls = [c for c, _ in recorded if not c.startswith("sqs.")]
        sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        per_user = Counter(m.destinations[0] for m in sent)
        left = aws.sqs().get_queue_attributes(QueueUrl=aws.queue_url(), AttributeNames=["All"])
        depth = sum(
            int(v) for k, v in left["Attributes"].items() if k.startswith("ApproximateNumberOf")
        )
    assert summary.users == summary.queued == count
    assert len(per_user) == count, "someone got no email"
    assert set(per_user.values()) == {1}, "someone got two"
    assert depth == 0, "messages left on the queue"
    print(f"force-reset of {count} users on moto, {os.cpu_count()} cores")
    print(
        f"  void + enqueue: {count / fanned:8.0f} users/s, {fan_calls / count:.2f} AWS calls/user"
    )
    print(
        f"  delivery:       {count / delivered:8.0f} users/s, {len(app_calls) / count:.2f} app AWS "
        f"calls/user (+ the mapping's receive/delete), {handled} jobs, 1 email each, queue empty"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
