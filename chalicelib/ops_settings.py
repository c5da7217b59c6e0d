"""A stage's operating settings: its name and metrics namespace, and what only a deploy reads.

The functions read two of them (STAGE and METRICS_NAMESPACE, for their metrics); the deploy
paths read them all from the stage's environment in .chalice/config.json: where alarms go
(ALARM_EMAIL), API Gateway's stage throttling, and the reset-request alarm's threshold.
Kept apart from Settings: nothing here is needed to serve a request.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.env import env_int
from chalicelib.errors import ConfigError

DEFAULT_NAMESPACE = "MicroblogAccounts"
DEFAULT_STAGE = "local"


@dataclass(frozen=True)
class OpsSettings:
    """How a stage is watched and bounded."""

    stage: str  # the metrics' `stage` dimension
    metrics_namespace: str
    alarm_email: str  # "" : alarms go to the topic only
    api_rate_limit: int  # API Gateway stage throttling: steady requests per second
    api_burst_limit: int  # and the burst above it
    reset_alarm_threshold: int  # reset requests in 5 minutes that raise the surge alarm


def _namespace(raw: str) -> str:
    namespace = raw.strip() or DEFAULT_NAMESPACE
    if namespace.startswith("AWS/") or len(namespace) > 255 or ":" in namespace:
        raise ConfigError("METRICS_NAMESPACE must be a custom namespace (not AWS/..., no ':')")
    return namespace


def _alarm_email(raw: str) -> str:
    address = raw.strip()
    local, at, domain = address.rpartition("@")
    if address and not (at and local and "." in domain and " " not in address):
        raise ConfigError(f"ALARM_EMAIL is not an email address: {address!r}")
    return address


def load_ops_settings(env: Mapping[str, str]) -> OpsSettings:
    """Build and validate OpsSettings from an environment mapping."""
    rate = env_int(env, "API_THROTTLE_RATE", 50)
    burst = env_int(env, "API_THROTTLE_BURST", 100)
    if burst < rate:
        raise ConfigError("API_THROTTLE_BURST must be at least API_THROTTLE_RATE")
    return OpsSettings(
        stage=env.get("STAGE", "").strip() or DEFAULT_STAGE,
        metrics_namespace=_namespace(env.get("METRICS_NAMESPACE", "")),
        alarm_email=_alarm_email(env.get("ALARM_EMAIL", "")),
        api_rate_limit=rate,
        api_burst_limit=burst,
        reset_alarm_threshold=env_int(env, "RESET_REQUESTS_ALARM_THRESHOLD", 300),
    )


@functools.cache
def get_ops_settings() -> OpsSettings:
    """The process-wide OpsSettings, read from os.environ on first use."""
    return load_ops_settings(os.environ)
