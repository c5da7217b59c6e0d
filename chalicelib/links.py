"""Every link we email: its path (web/ routes it there) and its absolute form.

Domain code asks for "the reset link for this token"; the web layer's route decorators and
the request log read the same constants, so a path is written here and nowhere else.
Absolute links are built from PUBLIC_BASE_URL only, never from a request's Host header.
"""

from __future__ import annotations

from chalicelib.settings import get_settings

RESET_PASSWORD = "/reset_password"  # noqa: S105 (a path) + /<token>: set a new password
VERIFY_EMAIL = "/verify_email"  # + /<token>: confirm an address
RESET_REQUEST = "/reset_password_request"  # ask for a new reset link
SECURE_ACCOUNT = "/secure_account"  # + /<token>: a security notice's "this wasn't me"
# The first path segments of the links whose next segment is a token: logs scrub that one.
TOKEN_ROUTES = tuple(
    path.removeprefix("/") for path in (RESET_PASSWORD, VERIFY_EMAIL, SECURE_ACCOUNT)
)


def absolute(path: str) -> str:
    """`path` under the configured public base URL."""
    return get_settings().public_base_url + path


def reset_password(token: str) -> str:
    """The link that sets a new password with this reset token."""
    return absolute(f"{RESET_PASSWORD}/{token}")


def verify_email(token: str) -> str:
    """The link that confirms an address with this verification token."""
    return absolute(f"{VERIFY_EMAIL}/{token}")


def secure_account(token: str) -> str:
    """A security notice's "this wasn't me" link for this token."""
    return absolute(f"{SECURE_ACCOUNT}/{token}")


def reset_request() -> str:
    """The page that mails a new reset link (named in security notices)."""
    return absolute(RESET_REQUEST)
