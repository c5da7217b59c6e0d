"""Settings: built once from the environment; bad or missing secrets fail loudly."""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib.errors import ConfigError
from chalicelib.settings import Argon2Parameters, load_settings

STRONG = "k" * 48
BASE = {
    "SECRET_KEY": STRONG,
    "PUBLIC_BASE_URL": "https://accounts.example.com/api/",
    "ADMINS": "no-reply@example.com, admin@example.com",
}


def test_reads_environment_and_derives_values() -> None:
    settings = load_settings({**BASE, "RESET_TOKEN_TTL_SECONDS": "120"})
    assert settings.public_base_url == "https://accounts.example.com/api"
    assert settings.base_path == "/api"
    assert settings.secure_cookies
    assert settings.mail_sender == "no-reply@example.com"
    assert settings.admins == ("no-reply@example.com", "admin@example.com")
    assert settings.reset_token_ttl == 120
    assert not settings.development


def test_settings_are_frozen() -> None:
    settings = load_settings(BASE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.secret_key = "other"  # type: ignore[misc]


def test_reset_tokens_live_ten_minutes_by_default() -> None:
    assert load_settings(BASE).reset_token_ttl == 600


@pytest.mark.parametrize(
    "secret", ["", "you-will-never-guess", "change-me", "short-but-not-a-placeholder"]
)
def test_production_refuses_empty_placeholder_or_short_secrets(secret: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({**BASE, "SECRET_KEY": secret})


def test_development_accepts_a_placeholder_secret_but_not_none() -> None:
    dev = {**BASE, "APP_ENV": "development", "PUBLIC_BASE_URL": "http://127.0.0.1:8000"}
    assert load_settings({**dev, "SECRET_KEY": "change-me"}).development
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({**dev, "SECRET_KEY": ""})


def test_a_key_parameter_replaces_the_inline_secret() -> None:
    settings = load_settings({**BASE, "SECRET_KEY": "", "SECRET_KEY_PARAMETER": "/app/keys"})
    assert settings.secret_parameter == "/app/keys"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "accounts.example.com",
        "ftp://accounts.example.com",
        "https://accounts.example.com/?next=x",
        "http://accounts.example.com",
    ],
)
def test_public_base_url_must_be_absolute_and_https_in_production(url: str) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        load_settings({**BASE, "PUBLIC_BASE_URL": url})


def test_http_base_url_is_fine_in_development() -> None:
    env = {**BASE, "APP_ENV": "development", "PUBLIC_BASE_URL": "http://127.0.0.1:8000"}
    assert not load_settings(env).secure_cookies


@pytest.mark.parametrize("admins", ["", " , ", "not-an-address", "Bob <bob@example.com>"])
def test_admins_must_hold_valid_addresses(admins: str) -> None:
    with pytest.raises(ConfigError, match="ADMINS"):
        load_settings({**BASE, "ADMINS": admins})


@pytest.mark.parametrize("value", ["ten", "0", "-5"])
def test_token_lifetime_must_be_a_positive_integer(value: str) -> None:
    with pytest.raises(ConfigError, match="RESET_TOKEN_TTL_SECONDS"):
        load_settings({**BASE, "RESET_TOKEN_TTL_SECONDS": value})


@pytest.mark.parametrize("previous", ["change-me", "short-previous-key", "  secret  "])
def test_a_weak_previous_secret_is_refused_outside_development(previous: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY_PREVIOUS"):
        load_settings({**BASE, "SECRET_KEY_PREVIOUS": previous})
    development = {**BASE, "APP_ENV": "development", "SECRET_KEY_PREVIOUS": previous}
    assert load_settings(development).secret_key_previous == previous


def test_per_client_caps_have_defaults_and_can_be_set() -> None:
    settings = load_settings(BASE)
    assert (settings.registrations_per_ip, settings.logins_per_ip) == (20, 100)
    custom = {**BASE, "REGISTRATIONS_PER_IP_PER_HOUR": "5", "LOGINS_PER_IP_PER_HOUR": "7"}
    assert (load_settings(custom).registrations_per_ip, load_settings(custom).logins_per_ip) == (
        5,
        7,
    )


def test_password_hashing_defaults_to_rfc_9106_low_memory() -> None:
    argon2 = load_settings(BASE).argon2
    assert (argon2.time_cost, argon2.memory_kib, argon2.parallelism) == (3, 65536, 4)
    custom = {
        **BASE,
        "ARGON2_TIME_COST": "4",
        "ARGON2_MEMORY_KIB": "47104",
        "ARGON2_PARALLELISM": "1",
    }
    assert load_settings(custom).argon2 == Argon2Parameters(4, 47104, 1)


@pytest.mark.parametrize(
    ("name", "value"), [("ARGON2_TIME_COST", "1"), ("ARGON2_MEMORY_KIB", "19455")]
)
def test_production_refuses_argon2_parameters_below_owasps_minimum(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match="OWASP"):
        load_settings({**BASE, name: value})
    development = {**BASE, "APP_ENV": "development", "PUBLIC_BASE_URL": "http://127.0.0.1:8000"}
    with pytest.raises(ConfigError, match="OWASP"):
        load_settings({**development, name: value})
    minimum = {"ARGON2_TIME_COST": "2", "ARGON2_MEMORY_KIB": "19456", "ARGON2_PARALLELISM": "1"}
    assert load_settings({**BASE, **minimum}).argon2 == Argon2Parameters(2, 19456, 1)


def test_app_env_test_is_production_but_for_tiny_argon2_parameters() -> None:
    tiny = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1"}
    assert load_settings({**BASE, "APP_ENV": "test", **tiny}).argon2 == Argon2Parameters(1, 8, 1)
    # Everything else is production's, field by field.
    assert load_settings({**BASE, "APP_ENV": "test"}) == load_settings(BASE)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({**BASE, "APP_ENV": "test", "SECRET_KEY": "change-me"})
    with pytest.raises(ConfigError, match="https"):
        load_settings({**BASE, "APP_ENV": "test", "PUBLIC_BASE_URL": "http://127.0.0.1:8000"})


def test_argon2s_own_floor_is_refused_even_in_tests() -> None:
    env = {**BASE, "APP_ENV": "test", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "2"}
    with pytest.raises(ConfigError, match="ARGON2_MEMORY_KIB"):
        load_settings(env)


def test_trusted_device_settings_have_defaults_and_can_be_set() -> None:
    settings = load_settings(BASE)
    assert (settings.device_ttl_days, settings.untrusted_reset_emails_per_hour) == (365, 10)
    assert settings.device_ttl == 365 * 24 * 3600
    custom = load_settings(
        {**BASE, "DEVICE_TTL_DAYS": "30", "UNTRUSTED_RESET_EMAILS_PER_HOUR": "4"}
    )
    assert (custom.device_ttl_days, custom.untrusted_reset_emails_per_hour) == (30, 4)
    with pytest.raises(ConfigError):
        load_settings({**BASE, "DEVICE_TTL_DAYS": "0"})
