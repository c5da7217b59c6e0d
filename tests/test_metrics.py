"""chalicelib/metrics.py: EMF lines on stdout, one per dimension set, flushed per invocation."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import aws, metrics
from chalicelib.auth.password_reset import RESET_REQUESTED
from chalicelib.metrics import Failure, Metric
from chalicelib.ops_settings import get_ops_settings
from chalicelib.settings import get_settings
from tests.helpers.emf import counts, emitted
from tests.helpers.environment import NEW_PASSWORD
from tests.helpers.inbox import RESET, drain_queue, run_worker, sent_mail, token_from
from tests.helpers.mailkit import (
    THROTTLING,
    SesFaults,
    an_email,
    dlq_bodies,
    ses_faults,
    sqs_event,
    sqs_record,
)
from tests.helpers.web import post_json


def reset_job(address: str) -> dict[str, str]:
    return {"type": RESET_REQUESTED, "email": address}


@pytest.fixture(autouse=True)
def nothing_counted_yet(capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever earlier tests counted outside a Lambda invocation is printed and dropped."""
    metrics.flush()
    capsys.readouterr()


def test_counts_are_printed_once_per_dimension_set_when_flushed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics.note(Metric.EMAIL_SENT)
    metrics.note(Metric.EMAIL_SENT)
    metrics.note(Metric.EMAIL_FAILED, Failure.TRANSIENT)
    metrics.milliseconds(Metric.SEND_LATENCY, 61.5)
    assert capsys.readouterr().out == ""  # nothing before the invocation ends
    metrics.flush()
    lines = emitted(capsys.readouterr().out)
    assert len(lines) == 2
    plain, failed = sorted(lines, key=lambda line: "kind" in line.dimensions)
    ops = get_ops_settings()  # (Chalice's test client may have read the dev stage's)
    assert plain.namespace == failed.namespace == ops.metrics_namespace
    assert plain.dimensions == {"stage": ops.stage}  # no service, no address, no user
    assert failed.dimensions == {"stage": ops.stage, "kind": "transient"}
    assert plain.values == {"EmailSent": [1.0, 1.0], "SendLatency": [61.5]}
    assert plain.units == {"EmailSent": "Count", "SendLatency": "Milliseconds"}
    metrics.flush()
    assert capsys.readouterr().out == ""  # flushed once


def test_an_invocation_that_counted_nothing_prints_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Powertools warns when it flushes an empty set
        metrics.flush()
    assert capsys.readouterr().out == ""


def test_counts_sum_by_name_and_kind(capsys: pytest.CaptureFixture[str]) -> None:
    metrics.note(Metric.THROTTLED, "reset-client")
    metrics.note(Metric.THROTTLED, "reset-client")
    metrics.note(Metric.THROTTLED, "login-client")
    metrics.flush()
    assert counts(capsys.readouterr().out) == {
        ("Throttled", "reset-client"): 2.0,
        ("Throttled", "login-client"): 1.0,
    }


# -- what the app counts, read from the EMF lines its handlers print (app.py flushes them)


def metric_output(capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str], float]:
    out = capsys.readouterr().out
    for line in emitted(out):  # low cardinality: never an address or a user id
        assert set(line.dimensions) <= {"stage", "kind"}
        assert not [v for v in line.dimensions.values() if "@" in v]
    return counts(out)


def test_a_reset_counts_its_request_its_email_and_its_completion(
    client: Client, susan: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()  # her registration's
    assert post_json(client, "/api/password-reset", {"email": susan["email"]}).status_code == 202
    assert metric_output(capsys) == {("ResetRequested", ""): 1.0}
    drain_queue()
    sent = metric_output(capsys)
    assert sent[("EmailSent", "")] == 1.0
    assert ("SendLatency", "") in sent
    (mail,) = sent_mail()
    body = {"token": token_from(mail, RESET), "password": NEW_PASSWORD}
    assert post_json(client, "/api/password-reset/confirm", body).status_code == 200
    assert metric_output(capsys)[("ResetCompleted", "")] == 1.0


def test_a_failed_send_counts_its_reason_and_its_dead_letter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rejected = an_email("x", sender="intruder@example.net")
    aws.sqs().send_message(QueueUrl=aws.queue_url(), MessageBody=rejected.to_json())
    drain_queue()  # SES refuses the unverified sender: permanent, every receive
    found = metric_output(capsys)
    receives = get_settings().mail.max_receives
    assert found[("EmailFailed", "permanent")] == receives
    assert found[("DeadLettered", "")] == 1.0
    assert ("EmailSent", "") not in found
    assert dlq_bodies() == [rejected.to_json()]


def test_a_transient_failure_is_counted_as_transient(
    client: Client, susan: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    post_json(client, "/api/password-reset", {"email": susan["email"]})
    capsys.readouterr()
    with ses_faults(SesFaults(always=lambda _call: THROTTLING)):
        run_worker(sqs_event(sqs_record(reset_job(susan["email"]), "m-1")))
    assert metric_output(capsys) == {("EmailFailed", "transient"): 1.0}


def test_a_suppressed_address_is_counted_and_not_mailed(
    client: Client, susan: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": "susan@example.com", "action": "failed"}],
        },
    }
    client.lambda_.invoke("mail_events", client.events.generate_sns_event(json.dumps(bounce)))
    post_json(client, "/api/password-reset", {"email": susan["email"]})
    capsys.readouterr()
    drain_queue()
    assert metric_output(capsys) == {("EmailFailed", "suppressed"): 1.0}
    assert sent_mail() == []


def test_a_lock_is_counted_once_when_it_is_imposed(
    client: Client, susan: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    failures = get_settings().login_max_failures
    for _ in range(failures + 2):
        wrong = {"username": "susan", "password": "not her password"}
        assert post_json(client, "/api/tokens", wrong).status_code == 401
    assert metric_output(capsys) == {
        ("LoginFailed", ""): failures + 2.0,
        ("LockImposed", ""): 1.0,
    }


def test_caps_count_what_they_refuse(
    client: Client, susan: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    settings = get_settings()
    for _ in range(settings.reset_requests_per_ip_per_hour + 1):
        post_json(client, "/api/password-reset", {"email": susan["email"]})
    found = metric_output(capsys)
    assert found[("Throttled", "reset-client")] == 1.0  # the request over the client's cap
    spent = settings.reset_requests_per_ip_per_hour - settings.reset_emails_per_hour
    assert found[("EmailFailed", "capped")] == spent  # over the address's cap
