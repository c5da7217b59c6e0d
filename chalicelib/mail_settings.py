"""The mail pipeline's settings: transport (Flask-Mail's names for SMTP), queue, retries, pacing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.brand import site_name
from chalicelib.env import env_bool, env_int
from chalicelib.errors import ConfigError

MAIL_TRANSPORTS = ("ses", "smtp")


@dataclass(frozen=True)
class MailSettings:
    """The mail pipeline: transport (Flask-Mail's names for SMTP), queue, retries, idempotency."""

    transport: str
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str = field(repr=False)  # a secret: never in a repr, a log line or a traceback
    sender_name: str
    configuration_set: str
    timeout: int
    dlq_name: str
    events_topic: str
    max_receives: int
    visibility_timeout: int
    lease_seconds: int
    retry_base_seconds: int
    retry_max_seconds: int
    idempotency_ttl: int
    max_send_rate: int  # emails/s for the whole account; 0: SES's GetSendQuota says
    max_concurrency: int  # the SQS mapping's MaximumConcurrency: workers share the rate


def mail_settings(env: Mapping[str, str], queue: str, events_topic: str) -> MailSettings:
    """The mail pipeline's settings (the queue's names come from settings.resource_names)."""
    transport = env.get("MAIL_TRANSPORT", "ses").strip().lower() or "ses"
    if transport not in MAIL_TRANSPORTS:
        raise ConfigError(f"MAIL_TRANSPORT must be one of {', '.join(MAIL_TRANSPORTS)}")
    use_tls, use_ssl = env_bool(env, "MAIL_USE_TLS"), env_bool(env, "MAIL_USE_SSL")
    if use_tls and use_ssl:
        raise ConfigError("set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL (implicit TLS), not both")
    server = env.get("MAIL_SERVER", "").strip()
    if transport == "smtp" and not server:
        raise ConfigError("MAIL_TRANSPORT=smtp needs MAIL_SERVER")
    username, password = env.get("MAIL_USERNAME", ""), env.get("MAIL_PASSWORD", "")
    if username and not password:
        raise ConfigError("MAIL_USERNAME is set but MAIL_PASSWORD is empty")
    settings = MailSettings(
        transport=transport,
        server=server,
        port=env_int(env, "MAIL_PORT", 465 if use_ssl else 25),
        use_tls=use_tls,
        use_ssl=use_ssl,
        username=username,
        password=password,
        sender_name=env.get("MAIL_SENDER_NAME", "").strip() or site_name(env),
        configuration_set=env.get("SES_CONFIGURATION_SET", "").strip(),
        timeout=env_int(env, "MAIL_TIMEOUT_SECONDS", 10),
        dlq_name=env.get("MAIL_DLQ", "").strip() or f"{queue}-dlq",
        events_topic=events_topic,
        max_receives=env_int(env, "MAIL_MAX_RECEIVES", 8),
        visibility_timeout=env_int(env, "MAIL_VISIBILITY_TIMEOUT", 360, minimum=0),
        lease_seconds=env_int(env, "MAIL_LEASE_SECONDS", 120),
        retry_base_seconds=env_int(env, "MAIL_RETRY_BASE_SECONDS", 30, minimum=0),
        retry_max_seconds=env_int(env, "MAIL_RETRY_MAX_SECONDS", 900, minimum=0),
        idempotency_ttl=env_int(env, "MAIL_IDEMPOTENCY_TTL_SECONDS", 14 * 24 * 3600),
        max_send_rate=env_int(env, "MAIL_MAX_SEND_RATE", 0, minimum=0),
        max_concurrency=env_int(env, "MAIL_WORKER_CONCURRENCY", 2, minimum=2),
    )
    if settings.visibility_timeout > 43200 or settings.retry_max_seconds > 43200:
        raise ConfigError("SQS visibility timeouts are at most 43200 seconds (12 hours)")
    return settings
