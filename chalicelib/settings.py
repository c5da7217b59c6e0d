"""One frozen Settings object, built from the environment once per container."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from chalicelib.errors import ConfigError

# Values people paste from tutorials and templates; refused outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "dev", "you-will-never-guess", "replace-me"}
)
MIN_SECRET_LENGTH = 32
MAIL_TRANSPORTS = ("ses", "smtp")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


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


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    development: bool
    secret_key: str
    secret_key_previous: str
    secret_parameter: str
    public_base_url: str
    admins: tuple[str, ...]
    users_table: str
    state_table: str
    queue_name: str
    region: str
    reset_token_ttl: int
    access_token_ttl: int
    session_ttl: int
    remember_me_ttl: int
    max_body_bytes: int
    reset_emails_per_hour: int
    reset_requests_per_ip_per_hour: int
    verify_token_ttl: int
    verify_emails_per_hour: int
    notice_emails_per_hour: int
    suppression_ttl_days: int
    login_max_failures: int
    login_lock_seconds: int
    registrations_per_ip: int
    logins_per_ip: int
    mail: MailSettings

    @property
    def mail_sender(self) -> str:
        """The first configured admin address sends the mail."""
        return self.admins[0]

    @property
    def base_path(self) -> str:
        """The path part of the public base URL (an API Gateway stage, or '')."""
        return urlsplit(self.public_base_url).path

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure whenever the public site is https."""
        return self.public_base_url.startswith("https://")


@dataclass(frozen=True)
class ResourceNames:
    """The names Chalice wires event sources to when it imports app.py."""

    queue: str
    events_topic: str


def resource_names(env: Mapping[str, str] | None = None) -> ResourceNames:
    """The mail queue and events topic names, read alone (no secret is needed to package).

    app.py's decorators need them at import; Settings derives the same names from here.
    """
    env = os.environ if env is None else env
    queue = env.get("MAIL_QUEUE", "microblog-mail")
    topic = env.get("MAIL_EVENTS_TOPIC", "").strip() or f"{queue}-events"
    return ResourceNames(queue=queue, events_topic=topic)


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return raw in _TRUE


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def _base_url(raw: str, development: bool) -> str:
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("PUBLIC_BASE_URL must be an absolute http(s) URL")
    if parts.query or parts.fragment:
        raise ConfigError("PUBLIC_BASE_URL must not carry a query or fragment")
    if parts.scheme != "https" and not development:
        raise ConfigError("PUBLIC_BASE_URL must be https outside local development")
    return url


def _admins(raw: str) -> tuple[str, ...]:
    admins = []
    for item in raw.split(","):
        if not item.strip():
            continue
        try:
            admins.append(validate_email(item.strip(), check_deliverability=False).normalized)
        except EmailNotValidError as exc:
            raise ConfigError(f"ADMINS holds an invalid address: {exc}") from None
    if not admins:
        raise ConfigError("ADMINS must list at least one sender address")
    return tuple(admins)


def _secret(env: Mapping[str, str], development: bool) -> tuple[str, str]:
    secret, previous = env.get("SECRET_KEY", ""), env.get("SECRET_KEY_PREVIOUS", "")
    if env.get("SECRET_KEY_PARAMETER"):
        return secret, previous
    if development:
        if not secret:
            raise ConfigError("SECRET_KEY is empty; `make dev` generates one in .dev/secret_key")
        return secret, previous
    for name, value in (("SECRET_KEY", secret), ("SECRET_KEY_PREVIOUS", previous)):
        if name == "SECRET_KEY_PREVIOUS" and not value:
            continue  # no rotation under way
        if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"{name} must be a random value of at least {MIN_SECRET_LENGTH} characters "
                "(placeholders are accepted only with APP_ENV=development)"
            )
    return secret, previous


def _mail(env: Mapping[str, str], names: ResourceNames) -> MailSettings:
    transport = env.get("MAIL_TRANSPORT", "ses").strip().lower() or "ses"
    if transport not in MAIL_TRANSPORTS:
        raise ConfigError(f"MAIL_TRANSPORT must be one of {', '.join(MAIL_TRANSPORTS)}")
    use_tls, use_ssl = _bool(env, "MAIL_USE_TLS"), _bool(env, "MAIL_USE_SSL")
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
        port=_int(env, "MAIL_PORT", 465 if use_ssl else 25),
        use_tls=use_tls,
        use_ssl=use_ssl,
        username=username,
        password=password,
        sender_name=env.get("MAIL_SENDER_NAME", "Microblog").strip(),
        configuration_set=env.get("SES_CONFIGURATION_SET", "").strip(),
        timeout=_int(env, "MAIL_TIMEOUT_SECONDS", 10),
        dlq_name=env.get("MAIL_DLQ", "").strip() or f"{names.queue}-dlq",
        events_topic=names.events_topic,
        max_receives=_int(env, "MAIL_MAX_RECEIVES", 8),
        visibility_timeout=_int(env, "MAIL_VISIBILITY_TIMEOUT", 360, minimum=0),
        lease_seconds=_int(env, "MAIL_LEASE_SECONDS", 120),
        retry_base_seconds=_int(env, "MAIL_RETRY_BASE_SECONDS", 30, minimum=0),
        retry_max_seconds=_int(env, "MAIL_RETRY_MAX_SECONDS", 900, minimum=0),
        idempotency_ttl=_int(env, "MAIL_IDEMPOTENCY_TTL_SECONDS", 14 * 24 * 3600),
        max_send_rate=_int(env, "MAIL_MAX_SEND_RATE", 0, minimum=0),
        max_concurrency=_int(env, "MAIL_WORKER_CONCURRENCY", 2, minimum=2),
    )
    if settings.visibility_timeout > 43200 or settings.retry_max_seconds > 43200:
        raise ConfigError("SQS visibility timeouts are at most 43200 seconds (12 hours)")
    return settings


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build and validate Settings from an environment mapping."""
    development = env.get("APP_ENV", "production").strip().lower() == "development"
    secret, previous = _secret(env, development)
    names = resource_names(env)
    return Settings(
        development=development,
        secret_key=secret,
        secret_key_previous=previous,
        secret_parameter=env.get("SECRET_KEY_PARAMETER", ""),
        public_base_url=_base_url(env.get("PUBLIC_BASE_URL", ""), development),
        admins=_admins(env.get("ADMINS", "")),
        users_table=env.get("USERS_TABLE", "microblog-users"),
        state_table=env.get("STATE_TABLE", "microblog-state"),
        queue_name=names.queue,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        reset_token_ttl=_int(env, "RESET_TOKEN_TTL_SECONDS", 600),
        access_token_ttl=_int(env, "ACCESS_TOKEN_TTL_SECONDS", 3600),
        session_ttl=_int(env, "SESSION_TTL_SECONDS", 12 * 3600),
        remember_me_ttl=_int(env, "REMEMBER_ME_TTL_SECONDS", 30 * 24 * 3600),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 16 * 1024),
        reset_emails_per_hour=_int(env, "RESET_EMAILS_PER_HOUR", 3),
        reset_requests_per_ip_per_hour=_int(env, "RESET_REQUESTS_PER_IP_PER_HOUR", 20),
        verify_token_ttl=_int(env, "VERIFY_TOKEN_TTL_SECONDS", 24 * 3600),
        verify_emails_per_hour=_int(env, "VERIFY_EMAILS_PER_HOUR", 3),
        notice_emails_per_hour=_int(env, "NOTICE_EMAILS_PER_HOUR", 3),
        suppression_ttl_days=_int(env, "SUPPRESSION_TTL_DAYS", 30),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5),
        login_lock_seconds=_int(env, "LOGIN_LOCK_SECONDS", 15 * 60),
        registrations_per_ip=_int(env, "REGISTRATIONS_PER_IP_PER_HOUR", 20),
        logins_per_ip=_int(env, "LOGINS_PER_IP_PER_HOUR", 100),
        mail=_mail(env, names),
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide Settings, read from os.environ on first use."""
    return load_settings(os.environ)
