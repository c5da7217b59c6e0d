"""The breach response at scale: `make force-reset` for 10,000 users on moto, with the worker.

python -m benchmarks.mass_reset [USERS] [RATE]     (make bench-force-reset)

As on AWS, the worker drains the queue while the jobs are being queued: a poller thread plays
the SQS mapping (one container, long polling) beside the fan-out. The fan-out is paced at
RATE jobs/s (default 50), and never gets more than AHEAD jobs ahead of the worker: one
interpreter holds the emulator, the fan-out and the worker, and on a busy 2-core machine it
delivers less than that. Queueing everything first and delivering afterwards does not finish:
moto's SQS visits every stored message on each send and receive, so a 10,000-message queue
costs O(n²) (1,000 users took 49 s to deliver that way, 10,000 never finished).

Every user must get exactly one email, none twice, and the queues must end empty; it prints
users/s, the deepest the queue got, and AWS calls per user.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter

from benchmarks import __main__ as bench_env  # noqa: F401 - the benchmark environment first

# isort: split

from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
from moto.ses import ses_backends  # type: ignore[attr-defined]

import app as app_module
from benchmarks.latency import LATENCY
from chalicelib import aws
from chalicelib.mail import pacing
from chalicelib.settings import get_settings
from ops.admin import force_reset
from ops.deploy.provision import provision
from ops.dev import poller
from tests.helpers.accounts import seed_users

DEFAULT_RATE = 50
AHEAD = 100  # jobs queued and not yet handled, at most


class KeepingUp(pacing.Pacer):
    """The rate's slots, and none while the fan-out is AHEAD jobs ahead of the worker."""

    def __init__(self, rate: float, mapping: Mapping) -> None:
        super().__init__(rate)
        self.mapping = mapping
        self.queued = 0
        self._count = threading.Lock()

    def wait(self) -> None:
        super().wait()
        with self._count:
            self.queued += 1
            ahead = self.queued - self.mapping.handled
        while ahead > AHEAD:
            time.sleep(0.02)
            ahead = self.queued - self.mapping.handled


def _depth(queue_url: str | None = None) -> int:
    """Visible, in-flight and delayed messages on the mail queue (or another)."""
    left = aws.sqs().get_queue_attributes(
        QueueUrl=queue_url or aws.queue_url(), AttributeNames=["All"]
    )
    return sum(int(v) for k, v in left["Attributes"].items() if k.startswith("ApproximateNumberOf"))


class Mapping:
    """Lambda's SQS mapping, one container: long-polls and invokes the worker until told to stop
    and the queue answers empty."""

    def __init__(self) -> None:
        self.handled = 0
        self.deepest = 0
        self.fanned_out = threading.Event()
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self._run, name="mapping")

    def _run(self) -> None:
        sqs, url = aws.sqs(), aws.queue_url()
        while True:
            received, _failed = poller.poll_once(sqs, url, app_module.mail_worker, wait_seconds=1)
            self.handled += received
            if self.handled % 1000 < received:  # now and then, not on every batch
                depth = _depth()
                self.deepest = max(self.deepest, depth)
                elapsed = time.perf_counter() - self.started
                print(f"  {elapsed:6.1f} s: {self.handled} sent, {depth} queued", flush=True)
            if not received and self.fanned_out.is_set() and _depth() == 0:
                return


def main(count: int, rate: int) -> int:
    with mock_aws():
        provision(get_settings())
        seed_users(count, "a fine long password")
        recorded = LATENCY.record()
        mapping = Mapping()
        started = mapping.started = time.perf_counter()
        mapping.thread.start()
        summary = force_reset.force_reset(KeepingUp(rate, mapping))
        fanned = time.perf_counter() - started
        mapping.fanned_out.set()
        mapping.thread.join()
        elapsed = time.perf_counter() - started
        LATENCY.recording = False
        calls = Counter(c for c, _ in recorded)
        plumbing = sum(n for c, n in calls.items() if c.split(".")[1] in _MAPPING_CALLS)
        sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        per_user = Counter(m.destinations[0] for m in sent)
        dlq = aws.sqs().get_queue_url(QueueName=get_settings().mail.dlq_name)["QueueUrl"]
        depth, dead = _depth(), _depth(dlq)
    assert summary.users == summary.queued == count
    assert mapping.handled == count, f"{mapping.handled} jobs handled for {count} users"
    assert len(per_user) == count, "someone got no email"
    assert set(per_user.values()) == {1}, "someone got two"
    assert depth == 0, "messages left on the queue"
    assert dead == 0, "messages in the dead-letter queue"
    app_calls = sum(calls.values()) - plumbing
    print(
        f"force-reset of {count} users on moto, {os.cpu_count()} cores, "
        f"paced at {rate}/s and at most {AHEAD} jobs ahead of the worker"
    )
    print(f"  queued in {fanned:6.1f} s, every email sent in {elapsed:6.1f} s")
    print(f"  {count / elapsed:6.1f} users/s end to end; the queue held at most {mapping.deepest}")
    print(
        f"  {app_calls / count:.2f} AWS calls/user (fan-out and worker: "
        + ", ".join(
            f"{c} {n / count:.2f}"
            for c, n in calls.most_common()
            if n >= count / 100 and c.split(".")[1] not in _MAPPING_CALLS
        )
        + f"), + {plumbing / count:.2f} for the mapping's receive/delete"
    )
    return 0


# What Lambda's SQS mapping calls (not the app): the poller's share of the recorded calls.
_MAPPING_CALLS = frozenset({"ReceiveMessage", "DeleteMessageBatch", "GetQueueAttributes"})


if __name__ == "__main__":
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    sys.exit(main(users, int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_RATE))
