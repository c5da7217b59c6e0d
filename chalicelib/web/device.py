"""This browser as a trusted device of an account: the `device` cookie (auth/devices.py)."""

from __future__ import annotations

from chalicelib.auth import devices
from chalicelib.auth.users import User
from chalicelib.settings import get_settings
from chalicelib.web import cookie_jar
from chalicelib.web.cookie_jar import CookieJar


class TrustedDevice:
    """The device token this browser holds, and making the browser a trusted device."""

    def __init__(self, cookies: CookieJar) -> None:
        self._cookies = cookies

    def token(self) -> str:
        """The device token as the browser sent it ('' when it holds none); whatever it is,
        the domain checks it, and ignores anything that is not a device token of its own."""
        return self._cookies.get(cookie_jar.DEVICE)

    def trust(self, user: User) -> None:
        """Make this browser a trusted device of `user` (after a sign-in, a completed reset, a
        confirmed address, a password change), for DEVICE_TTL_DAYS; a device of the same
        account keeps its id."""
        token = devices.issue(user, keep=devices.read(self.token()))
        self._cookies.set(cookie_jar.DEVICE, token, max_age=get_settings().device_ttl)
