"""The cookies of one page request: read once, changed in one place, sent back with the answer.

Every cookie the site sets is named here and written by `set_cookie`: HttpOnly,
SameSite=Lax, Secure on an https site, scoped to the base path.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from chalicelib.settings import get_settings

SESSION = "session"
CSRF = "csrf"
FLASH = "flash"
LANGUAGE = "lang"
SENT_TO = "sent_to"
DEVICE = "device"


def read_cookies(header: str) -> dict[str, str]:
    """The cookies of a Cookie header; a malformed header reads as no cookies."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def set_cookie(name: str, value: str, max_age: int | None = None) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, Secure on https, scoped to the base path."""
    settings = get_settings()
    parts = [f"{name}={value}", f"Path={settings.base_path or '/'}", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if settings.secure_cookies:
        parts.append("Secure")
    return "; ".join(parts)


class CookieJar:
    """The browser's cookies as they will be after this answer, and the Set-Cookie values
    that make them so (a cookie set or cleared here reads as set or cleared from then on)."""

    def __init__(self, header: str) -> None:
        self._held = read_cookies(header)
        self.outgoing: list[str] = []

    def get(self, name: str) -> str:
        """The cookie's value ('' when the browser holds none)."""
        return self._held.get(name, "")

    def set(self, name: str, value: str, max_age: int | None = None) -> None:
        """Keep `value` (for the browser session, or for `max_age` seconds)."""
        self._held[name] = value
        self.outgoing.append(set_cookie(name, value, max_age))

    def clear(self, name: str) -> None:
        """Tell the browser to drop the cookie."""
        self._held.pop(name, None)
        self.outgoing.append(set_cookie(name, "", max_age=0))
