"""Who is signed in: the session cookie, checked once a request, issued at sign-in."""

from __future__ import annotations

from chalicelib.auth import tokens
from chalicelib.auth.users import User, issue_token, user_for_token
from chalicelib.errors import InvalidTokenError
from chalicelib.settings import get_settings
from chalicelib.web import cookie_jar
from chalicelib.web.cookie_jar import CookieJar


class Session:
    """The signed-in user of one request, if any."""

    def __init__(self, cookies: CookieJar) -> None:
        self._cookies = cookies
        self._user: User | None = None
        self._loaded = False

    def user(self) -> User | None:
        """The signed-in user, if the session cookie is valid and still current."""
        if not self._loaded:
            self._loaded = True
            token = self._cookies.get(cookie_jar.SESSION)
            if token:
                try:
                    self._user = user_for_token(tokens.Purpose.SESSION, token)
                except InvalidTokenError:
                    # Gone from here on too: the CSRF token is bound to the session cookie,
                    # and the browser will not send this one again.
                    self._cookies.clear(cookie_jar.SESSION)
        return self._user

    def token(self) -> str:
        """The session cookie itself: what a signed-in session is known by until sessions
        are stored (its wrong passwords are counted under a keyed digest of it)."""
        return self._cookies.get(cookie_jar.SESSION) if self.user() else ""

    def forget(self) -> None:
        """A visitor from here on, unread: an error page must not depend on the account."""
        self._user, self._loaded = None, True

    def log_in(self, user: User, remember: bool) -> None:
        """Sign `user` in: for the browser session, or for a while when asked to remember."""
        settings = get_settings()
        ttl = settings.remember_me_ttl if remember else settings.session_ttl
        token = issue_token(user, tokens.Purpose.SESSION, ttl)
        self._cookies.set(cookie_jar.SESSION, token, max_age=ttl if remember else None)
        self._user, self._loaded = user, True
        # A new session gets a new CSRF nonce (no fixation across sign-in).
        self._cookies.clear(cookie_jar.CSRF)

    def log_out(self) -> None:
        self._cookies.clear(cookie_jar.SESSION)
        self._user, self._loaded = None, True
