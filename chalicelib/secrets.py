"""The signing keyring kept in SSM Parameter Store (deployed stages)."""

from __future__ import annotations

import json

from chalicelib.aws import ssm
from chalicelib.errors import ConfigError
from chalicelib.keys import Keyring, keyring_from_secrets
from chalicelib.settings import MIN_SECRET_LENGTH, PLACEHOLDER_SECRETS


def _check_secret(name: str, value: str) -> None:
    if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"the signing-key parameter's {name} key must be a random value of at least "
            f"{MIN_SECRET_LENGTH} characters"
        )


def parse_keyring(value: str) -> Keyring:
    """The parameter holds JSON: {"current": "...", "previous": "..."} (previous optional).

    Both keys must be real secrets: a short or placeholder key is refused, loudly.
    """
    try:
        data = json.loads(value)
        current, previous = data["current"], data.get("previous") or ""
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigError("the signing-key parameter is not the expected JSON") from None
    if not isinstance(current, str) or not isinstance(previous, str):
        raise ConfigError("the signing-key parameter is not the expected JSON")
    _check_secret("current", current)
    if previous:
        _check_secret("previous", previous)
    return keyring_from_secrets(current, previous)


def dump_keyring(current: str, previous: str = "") -> str:
    """The parameter's JSON for a keyring (the inverse of parse_keyring)."""
    _check_secret("current", current)
    if previous:
        _check_secret("previous", previous)
    return json.dumps({"current": current, "previous": previous})


def load_keyring_parameter(name: str) -> Keyring:
    """Read the SecureString parameter once (callers cache the result).

    `name` may also be a Parameter Store reference to a Secrets Manager secret
    (/aws/reference/secretsmanager/<secret>), as the CloudFormation path uses.
    """
    value = ssm().get_parameter(Name=name, WithDecryption=True)["Parameter"].get("Value", "")
    return parse_keyring(value)
