"""The worker's sending rate: one pacer per container, throttling ridden out in place."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from email.message import EmailMessage

import pytest

from chalicelib import settings, worker
from chalicelib.mail import pacing
from chalicelib.mail.records import FAILURE_PREFIX, MailFailure
from chalicelib.settings import load_settings
from tests.helpers.environment import TEST_ENV
from tests.helpers.inbox import run_worker, sent_mail
from tests.helpers.mailkit import (
    THROTTLING,
    SesFaults,
    email_body,
    ses_faults,
    sqs_event,
    sqs_record,
)


def test_the_pacer_spaces_sends_by_the_rate_across_threads() -> None:
    slept: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            slept.append(round(seconds, 6))

    pacer = pacing.Pacer(5.0, clock=lambda: 100.0, sleep=sleep)
    threads = [threading.Thread(target=pacer.wait) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Ten sends at 5/s from a standing start: the first goes at once, the rest 0.2 s apart.
    assert sorted(slept) == [round(0.2 * i, 6) for i in range(1, 10)]


def test_the_account_rate_is_shared_out_by_the_mappings_maximum_concurrency() -> None:
    mail = load_settings({**TEST_ENV, "MAIL_WORKER_CONCURRENCY": "4"}).mail
    assert (mail.max_send_rate, mail.max_concurrency) == (100000, 4)
    defaults = load_settings({**TEST_ENV, "MAIL_MAX_SEND_RATE": ""}).mail
    assert (defaults.max_send_rate, defaults.max_concurrency) == (0, 2)  # 0: ask SES


def test_without_an_override_the_rate_is_ses_quota(monkeypatch: object) -> None:

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delenv("MAIL_MAX_SEND_RATE")
    settings.get_settings.cache_clear()
    pacing.account_send_rate.cache_clear()
    try:
        assert pacing.account_send_rate() == 1.0  # moto's GetSendQuota MaxSendRate
        assert pacing.container_send_rate() == 0.5  # two containers at most share it
    finally:
        monkeypatch.undo()
        settings.get_settings.cache_clear()
        pacing.account_send_rate.cache_clear()


class _Rendezvous:
    """A transport whose sends all wait for each other: it only works if they overlap."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=10)

    def send(self, sender: str, recipients: Sequence[str], message: EmailMessage) -> str:
        self.barrier.wait()  # raises BrokenBarrierError if the sends run one after another
        return "sent"


def test_the_records_of_a_batch_are_delivered_at_the_same_time() -> None:
    records = [sqs_record(email_body(f"c-{i}"), f"msg-{i}") for i in range(10)]
    result = worker.handle_batch(sqs_event(*records), transport=_Rendezvous(10))
    assert result == {"batchItemFailures": []}


def test_ses_throttling_is_retried_in_place_without_a_failed_receive() -> None:
    refused = iter([THROTTLING, THROTTLING])
    faults = SesFaults(always=lambda _: next(refused, None))
    with ses_faults(faults):
        result = run_worker(sqs_event(sqs_record(email_body("th-1"), "msg-th")))
    assert result == {"batchItemFailures": []}
    assert faults.calls == 3
    assert len(sent_mail()) == 1
    assert MailFailure.count(FAILURE_PREFIX + "msg-th") == 0
