"""The cookies of one page request: read once, changed in one place, sent back with the answer.

Every cookie the site sets is named here and written by `set_cookie`: HttpOnly,
SameSite=Lax, Secure on an https site, scoped to the base path. On an https site the
session, the CSRF nonce and the device token are `__Host-` cookies (Secure, `Path=/`, no
`Domain`): a browser keeps only what this very host set under those names, so nobody who can
set cookies on a sibling host (or over plain http) can plant or toss them. Over http
(`make dev`) they go by their plain names; a plain name sent to an https site is ignored.
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
# Cookies that hold a credential or its CSRF pair: __Host- cookies on an https site.
HOST_ONLY = frozenset({SESSION, CSRF, DEVICE})
HOST_PREFIX = "__Host-"


def _host_only(name: str) -> bool:
    return name in HOST_ONLY and get_settings().secure_cookies


def wire_name(name: str) -> str:
    """The name the browser knows a cookie by (`__Host-session` on an https site)."""
    return HOST_PREFIX + name if _host_only(name) else name


def read_cookies(header: str) -> dict[str, str]:
    """The cookies of a Cookie header; a malformed header reads as no cookies."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def set_cookie(name: str, value: str, max_age: int | None = None) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, Secure on https, scoped to the base path
    (a __Host- cookie to the whole host, as the prefix requires)."""
    settings = get_settings()
    path = "/" if _host_only(name) else settings.base_path or "/"
    parts = [f"{wire_name(name)}={value}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
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
        return self._held.get(wire_name(name), "")

    def set(self, name: str, value: str, max_age: int | None = None) -> None:
        """Keep `value` (for the browser session, or for `max_age` seconds)."""
        self._held[wire_name(name)] = value
        self.outgoing.append(set_cookie(name, value, max_age))

    def clear(self, name: str) -> None:
        """Tell the browser to drop the cookie."""
        self._held.pop(wire_name(name), None)
        self.outgoing.append(set_cookie(name, "", max_age=0))
