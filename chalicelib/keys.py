"""The HS256 keyring: sign with the current key, verify with current or previous."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from chalicelib.errors import ConfigError
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class SigningKey:
    """One secret and the id (`kid`) tokens name it by."""

    kid: str
    secret: bytes

    @classmethod
    def from_secret(cls, secret: str) -> SigningKey:
        """Derive a stable, non-reversible kid from the secret itself."""
        raw = secret.encode()
        kid = hashlib.sha256(b"microblog-kid:" + raw).hexdigest()[:12]
        return cls(kid=kid, secret=raw)


@dataclass(frozen=True)
class Keyring:
    """The current key and any previous keys still accepted for verification."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    def find(self, kid: str) -> SigningKey | None:
        """The key a token names, or None if we do not hold it (any more)."""
        for key in (self.current, *self.previous):
            if key.kid == kid:
                return key
        return None


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
        from chalicelib.secrets import load_keyring_parameter

        return load_keyring_parameter(settings.secret_parameter)
    return keyring_from_secrets(settings.secret_key, settings.secret_key_previous)
