"""chalicelib/secrets.py: the keyring parameter's format, and its validation when loaded."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.auth.keys import SigningKey, dump_keyring, load_keyring_parameter, parse_keyring
from chalicelib.errors import ConfigError

CURRENT = "c" * 40
PREVIOUS = "p" * 40


def test_round_trip() -> None:
    keyring = parse_keyring(dump_keyring(CURRENT, PREVIOUS))
    assert keyring.current == SigningKey.from_secret(CURRENT)
    assert keyring.previous == (SigningKey.from_secret(PREVIOUS),)
    assert parse_keyring(dump_keyring(CURRENT)).previous == ()


@pytest.mark.parametrize(
    "value",
    [
        json.dumps({"current": "short"}),
        json.dumps({"current": "x" * 31}),
        json.dumps({"current": "change-me"}),
        json.dumps({"current": CURRENT, "previous": "too-short"}),
        json.dumps({"current": ""}),
    ],
)
def test_short_or_placeholder_keys_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="at least 32 characters"):
        parse_keyring(value)


@pytest.mark.parametrize(
    "value", ["", "not json", "[]", json.dumps({"previous": CURRENT}), json.dumps({"current": 7})]
)
def test_malformed_parameters_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="not the expected JSON"):
        parse_keyring(value)


def test_dump_refuses_what_parse_would_refuse() -> None:
    with pytest.raises(ConfigError):
        dump_keyring("short")


def test_loads_a_securestring_parameter() -> None:
    boto3.client("ssm").put_parameter(
        Name="/test/keys", Type="SecureString", Value=dump_keyring(CURRENT, PREVIOUS)
    )
    assert load_keyring_parameter("/test/keys").current.kid == SigningKey.from_secret(CURRENT).kid


def test_loads_a_secrets_manager_secret_through_its_ssm_reference() -> None:
    boto3.client("secretsmanager").create_secret(
        Name="test/keys", SecretString=dump_keyring(CURRENT)
    )
    keyring = load_keyring_parameter("/aws/reference/secretsmanager/test/keys")
    assert keyring.current.kid == SigningKey.from_secret(CURRENT).kid


def test_a_short_key_in_ssm_fails_loudly() -> None:
    boto3.client("ssm").put_parameter(
        Name="/test/weak", Type="SecureString", Value=json.dumps({"current": "hunter2"})
    )
    with pytest.raises(ConfigError):
        load_keyring_parameter("/test/weak")


def test_each_use_gets_its_own_key_derived_from_the_secret() -> None:
    key = SigningKey.from_secret(CURRENT)
    csrf, throttle = key.derived("csrf"), key.derived("throttle-subject")
    assert len({csrf, throttle, key.secret}) == 3
    assert csrf == SigningKey.from_secret(CURRENT).derived("csrf")  # stable across containers
    assert csrf != SigningKey.from_secret(PREVIOUS).derived("csrf")
