"""chalicelib/ops_settings.py: a stage's name, metrics namespace, alarm address and API bounds."""

from __future__ import annotations

import pytest

from chalicelib.errors import ConfigError
from chalicelib.ops_settings import load_ops_settings


def test_the_defaults_bound_the_api_and_name_a_local_stage() -> None:
    ops = load_ops_settings({})
    assert (ops.stage, ops.metrics_namespace, ops.alarm_email) == ("local", "MicroblogAccounts", "")
    assert (ops.api_rate_limit, ops.api_burst_limit, ops.reset_alarm_threshold) == (50, 100, 300)


def test_a_stage_sets_its_own() -> None:
    ops = load_ops_settings(
        {
            "STAGE": "prod",
            "METRICS_NAMESPACE": "Accounts",
            "ALARM_EMAIL": " oncall@example.org ",
            "API_THROTTLE_RATE": "5",
            "API_THROTTLE_BURST": "5",
            "RESET_REQUESTS_ALARM_THRESHOLD": "40",
        }
    )
    assert (ops.stage, ops.metrics_namespace, ops.alarm_email) == (
        "prod",
        "Accounts",
        "oncall@example.org",
    )
    assert (ops.api_rate_limit, ops.api_burst_limit, ops.reset_alarm_threshold) == (5, 5, 40)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("METRICS_NAMESPACE", "AWS/Lambda", "custom namespace"),
        ("ALARM_EMAIL", "oncall", "not an email address"),
        ("API_THROTTLE_RATE", "0", "at least 1"),
        ("API_THROTTLE_BURST", "10", "at least API_THROTTLE_RATE"),
    ],
)
def test_unusable_values_are_refused(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        load_ops_settings({name: value})
