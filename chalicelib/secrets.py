"""The signing keyring kept in SSM Parameter Store (deployed stages)."""

from __future__ import annotations

import json

from chalicelib.aws import ssm
from chalicelib.errors import ConfigError
from chalicelib.keys import Keyring, keyring_from_secrets


def parse_keyring(value: str) -> Keyring:
    """The parameter holds JSON: {"current": "...", "previous": "..."} (previous optional)."""
    try:
        data = json.loads(value)
        current, previous = data["current"], data.get("previous") or ""
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigError("the signing-key parameter is not the expected JSON") from None
    if not isinstance(current, str) or not isinstance(previous, str):
        raise ConfigError("the signing-key parameter is not the expected JSON")
    return keyring_from_secrets(current, previous)


def load_keyring_parameter(name: str) -> Keyring:
    """Read the SecureString parameter once (callers cache the result)."""
    value = ssm().get_parameter(Name=name, WithDecryption=True)["Parameter"].get("Value", "")
    return parse_keyring(value)
