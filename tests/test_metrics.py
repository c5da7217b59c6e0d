"""chalicelib/metrics.py: EMF lines on stdout, one per dimension set, flushed per invocation."""

from __future__ import annotations

import warnings

import pytest

from chalicelib import metrics
from chalicelib.metrics import Failure, Metric
from tests.helpers.emf import counts, emitted


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
    assert plain.namespace == failed.namespace == "MicroblogAccounts"
    assert plain.dimensions == {"stage": "local"}  # no service, no address, no user
    assert failed.dimensions == {"stage": "local", "kind": "transient"}
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
