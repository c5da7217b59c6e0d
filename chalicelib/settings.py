"""One frozen Settings object, built from the environment once per container."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from chalicelib.brand import Brand, brand
from chalicelib.env import env_int as _int
from chalicelib.errors import ConfigError
from chalicelib.mail_settings import MailSettings, mail_settings
from chalicelib.origins import allowed_origins
from chalicelib.owner_settings import OwnerSettings, owner_settings

# Values people paste from tutorials and templates; refused outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "dev", "you-will-never-guess", "replace-me"}
)
MIN_SECRET_LENGTH = 32
HOUR = 3600  # seconds; also the window of every hourly cap
# OWASP's Password Storage Cheat Sheet: argon2id with at least 19 MiB, 2 passes and 1 lane.
OWASP_MIN_TIME_COST, OWASP_MIN_MEMORY_KIB = 2, 19456


@dataclass(frozen=True)
class Argon2Parameters:
    """How hard each password hash is: argon2id's passes, memory (KiB) and lanes.

    The defaults are RFC 9106's low-memory profile (argon2-cffi's own defaults). A hash made
    with other parameters is verified as it is and rehashed with these at its next login.
    """

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


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
    argon2: Argon2Parameters
    mail: MailSettings
    owner: OwnerSettings
    # What a signed-in account may do per hour (more answer 429 with Retry-After).
    password_changes_per_hour: int
    email_changes_per_hour: int
    # Trusted devices: how long a device cookie lasts, and what strangers may spend.
    device_ttl_days: int
    untrusted_reset_emails_per_hour: int
    # The site's name and help link (chalicelib/brand.py).
    brand: Brand = field(default_factory=Brand)
    # Origins whose browser apps may call the JSON API (chalicelib/origins.py); none by default.
    cors_origins: frozenset[str] = frozenset()

    @property
    def mail_sender(self) -> str:
        """The first configured admin address sends the mail."""
        return self.admins[0]

    @property
    def base_path(self) -> str:
        """The path part of the public base URL (an API Gateway stage, or '')."""
        return urlsplit(self.public_base_url).path

    @property
    def device_ttl(self) -> int:
        """How long a device token and its cookie last, in seconds."""
        return self.device_ttl_days * 24 * HOUR

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
    from email_validator import EmailNotValidError, validate_email  # on first read, not import

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


def _argon2(env: Mapping[str, str], tiny_allowed: bool) -> Argon2Parameters:
    defaults = Argon2Parameters()
    parameters = Argon2Parameters(
        time_cost=_int(env, "ARGON2_TIME_COST", defaults.time_cost),
        memory_kib=_int(env, "ARGON2_MEMORY_KIB", defaults.memory_kib),
        parallelism=_int(env, "ARGON2_PARALLELISM", defaults.parallelism),
    )
    if parameters.memory_kib < 8 * parameters.parallelism:  # argon2's own floor
        raise ConfigError("ARGON2_MEMORY_KIB must be at least 8 KiB per ARGON2_PARALLELISM lane")
    too_weak = (
        parameters.time_cost < OWASP_MIN_TIME_COST or parameters.memory_kib < OWASP_MIN_MEMORY_KIB
    )
    if too_weak and not tiny_allowed:
        raise ConfigError(
            f"argon2 parameters below OWASP's minimum (ARGON2_TIME_COST >= {OWASP_MIN_TIME_COST},"
            f" ARGON2_MEMORY_KIB >= {OWASP_MIN_MEMORY_KIB}); smaller ones only with APP_ENV=test"
        )
    return parameters


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build and validate Settings from an environment mapping.

    APP_ENV: "development" (`make dev`: placeholder secrets, http) or "production" (anything
    else). "test" is production in every respect but one: it accepts argon2 parameters below
    OWASP's minimum, so a test suite does not spend its time hashing.
    """
    app_env = env.get("APP_ENV", "production").strip().lower()
    development = app_env == "development"
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
        access_token_ttl=_int(env, "ACCESS_TOKEN_TTL_SECONDS", HOUR),
        session_ttl=_int(env, "SESSION_TTL_SECONDS", 12 * HOUR),
        remember_me_ttl=_int(env, "REMEMBER_ME_TTL_SECONDS", 30 * 24 * HOUR),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 16 * 1024),
        reset_emails_per_hour=_int(env, "RESET_EMAILS_PER_HOUR", 3),
        reset_requests_per_ip_per_hour=_int(env, "RESET_REQUESTS_PER_IP_PER_HOUR", 20),
        verify_token_ttl=_int(env, "VERIFY_TOKEN_TTL_SECONDS", 24 * HOUR),
        verify_emails_per_hour=_int(env, "VERIFY_EMAILS_PER_HOUR", 3),
        notice_emails_per_hour=_int(env, "NOTICE_EMAILS_PER_HOUR", 3),
        suppression_ttl_days=_int(env, "SUPPRESSION_TTL_DAYS", 30),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5),
        login_lock_seconds=_int(env, "LOGIN_LOCK_SECONDS", 15 * 60),
        registrations_per_ip=_int(env, "REGISTRATIONS_PER_IP_PER_HOUR", 20),
        logins_per_ip=_int(env, "LOGINS_PER_IP_PER_HOUR", 100),
        argon2=_argon2(env, tiny_allowed=app_env == "test"),
        mail=mail_settings(env, names.queue, names.events_topic),
        owner=owner_settings(env),
        password_changes_per_hour=_int(env, "PASSWORD_CHANGES_PER_HOUR", 5),
        email_changes_per_hour=_int(env, "EMAIL_CHANGES_PER_HOUR", 3),
        device_ttl_days=_int(env, "DEVICE_TTL_DAYS", 365),
        untrusted_reset_emails_per_hour=_int(env, "UNTRUSTED_RESET_EMAILS_PER_HOUR", 10),
        brand=brand(env, development),
        cors_origins=allowed_origins(env, development),
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide Settings, read from os.environ on first use."""
    return load_settings(os.environ)
