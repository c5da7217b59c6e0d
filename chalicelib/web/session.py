"""Who is signed in: the session cookie, checked once a request, issued at sign-in.

The cookie names a stored session (auth/sessions.py): signing in stores one, logging out
ends it, and a session ended anywhere else (the /security page, sign out everywhere) ends
this cookie at its next request.
"""

from __future__ import annotations

from chalice.app import Request

from chalicelib.auth import sessions, sign_out, tokens
from chalicelib.auth.users import User
from chalicelib.errors import InvalidTokenError
from chalicelib.settings import get_settings
from chalicelib.web import cookie_jar
from chalicelib.web.cookie_jar import CookieJar
from chalicelib.web.http import origin_of


class Session:
    """The signed-in user of one request, if any."""

    def __init__(self, cookies: CookieJar, request: Request) -> None:
        self._cookies = cookies
        self._request = request
        self._signed: sessions.Signed | None = None
        self._loaded = False

    def user(self) -> User | None:
        """The signed-in user, if the session cookie is valid and its session still live."""
        signed = self._load()
        return signed.user if signed else None

    def id(self) -> str:
        """The id of the signed-in session ('' for a visitor)."""
        signed = self._load()
        return signed.session_id if signed else ""

    def _load(self) -> sessions.Signed | None:
        if not self._loaded:
            self._loaded = True
            token = self._cookies.get(cookie_jar.SESSION)
            if token:
                try:
                    self._signed = sessions.check(tokens.Purpose.SESSION, token)
                except InvalidTokenError:
                    # Gone from here on too: the CSRF token is bound to the session cookie,
                    # and the browser will not send this one again.
                    self._cookies.clear(cookie_jar.SESSION)
        return self._signed

    def forget(self) -> None:
        """A visitor from here on, unread: an error page must not depend on the account."""
        self._signed, self._loaded = None, True

    def log_in(self, user: User, remember: bool) -> None:
        """Sign `user` in with a new stored session: for the browser session, or for a while
        when asked to remember."""
        settings = get_settings()
        ttl = settings.remember_me_ttl if remember else settings.session_ttl
        session_id, token = sessions.sign_in_page(user, ttl, origin_of(self._request))
        self._cookies.set(cookie_jar.SESSION, token, max_age=ttl if remember else None)
        self._signed, self._loaded = sessions.Signed(user, session_id), True
        # A new session gets a new CSRF nonce (no fixation across sign-in).
        self._cookies.clear(cookie_jar.CSRF)

    def log_out(self) -> None:
        """Sign out: the stored session ends too, so a copy of the cookie is worth nothing."""
        signed = self._load()
        if signed is not None:
            sign_out.end_current(signed.user.id, signed.session_id, origin_of(self._request))
        self._cookies.clear(cookie_jar.SESSION)
        self._signed, self._loaded = None, True
