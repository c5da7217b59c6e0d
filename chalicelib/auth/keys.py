"""The HS256 keyring: sign with the current key, verify with current or previous.

It comes from the settings (SECRET_KEY, SECRET_KEY_PREVIOUS) or, on deployed stages, from an
SSM SecureString holding JSON: {"current": "...", "previous": "..."}.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass

from chalicelib.aws import ssm
from chalicelib.errors import ConfigError
from chalicelib.settings import MIN_SECRET_LENGTH, PLACEHOLDER_SECRETS, get_settings


@dataclass(frozen=True)
class SigningKey:
    """One secret and a short id (`kid`) operators know it by (`make rotate-key` prints it);
    tokens carry no kid: verification tries the current key, then the previous one."""

    kid: str
    secret: bytes

    @classmethod
    def from_secret(cls, secret: str) -> SigningKey:
        """Derive a stable, non-reversible kid from the secret itself."""
        raw = secret.encode()
        kid = hashlib.sha256(b"microblog-kid:" + raw).hexdigest()[:12]
        return cls(kid=kid, secret=raw)

    def derived(self, label: str) -> bytes:
        """A key for one use other than signing JWTs (HMAC of the secret over a label).

        JWTs are signed with the configured secret itself; CSRF tokens and throttle keys use
        their own keys, so neither can be turned into the other or into a token.
        """
        return hmac.new(self.secret, b"microblog-derived-key:" + label.encode(), "sha256").digest()


@dataclass(frozen=True)
class Keyring:
    """The current key and any previous keys still accepted for verification."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    @property
    def accepted(self) -> tuple[SigningKey, ...]:
        """Every key a signature may have been made with, the current one first."""
        return (self.current, *self.previous)


def keyring_from_secrets(current: str, previous: str = "") -> Keyring:
    """A keyring from plain secrets (previous may be empty)."""
    if not current:
        raise ConfigError("no signing secret configured")
    old = (SigningKey.from_secret(previous),) if previous else ()
    return Keyring(current=SigningKey.from_secret(current), previous=old)


@functools.cache
def get_keyring() -> Keyring:
    """The process-wide keyring, loaded once per container."""
    settings = get_settings()
    if settings.secret_parameter:
        return load_keyring_parameter(settings.secret_parameter)
    return keyring_from_secrets(settings.secret_key, settings.secret_key_previous)


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
