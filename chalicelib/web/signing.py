"""Values the browser keeps for us, signed so it cannot change them: the one check for all.

Each use signs with its own key, derived from the signing secret for a label (CSRF tokens
and the reset page's `sent_to` cookie never verify as each other), and a signature made with
any key still accepted (the current one, or the previous one during a rotation) passes.
Signatures are compared as bytes: whatever a browser sends back, non-ASCII text or a lone
surrogate included, is a mismatch, never an error.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64decode, urlsafe_b64encode

from chalicelib.auth.keys import SigningKey, get_keyring


def _bytes(text: str) -> bytes:
    """Any str as bytes, never an error (a lone surrogate is written out as an escape)."""
    return text.encode("utf-8", "backslashreplace")


def _digest(key: SigningKey, label: str, message: str) -> str:
    return hmac.new(key.derived(label), _bytes(message), hashlib.sha256).hexdigest()


def sign(label: str, message: str) -> str:
    """The signature of `message` with the current key derived for `label` (hex)."""
    return _digest(get_keyring().current, label, message)


def verify(label: str, message: str, signature: str) -> bool:
    """Whether `signature` is `message`'s with any accepted key derived for `label`."""
    sent = _bytes(signature)
    return any(
        hmac.compare_digest(_digest(key, label, message).encode(), sent)
        for key in get_keyring().accepted
    )


def seal(label: str, value: str) -> str:
    """`value` and its signature in one cookie-safe string: base64url(value).signature."""
    payload = urlsafe_b64encode(_bytes(value)).decode().rstrip("=")
    return f"{payload}.{sign(label, payload)}"


def unseal(label: str, sealed: str) -> str | None:
    """The value `seal` put in `sealed`, or None when it is not one of ours."""
    payload, _, signature = sealed.partition(".")
    if not payload or not verify(label, payload, signature):
        return None
    try:
        return urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError alike
        return None
