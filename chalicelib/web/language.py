"""The language of a page: the account's choice, the switcher's, or the browser's."""

from __future__ import annotations

from chalice.app import Request

from chalicelib.i18n import negotiate, supported, translate
from chalicelib.web import cookie_jar
from chalicelib.web.cookie_jar import CookieJar
from chalicelib.web.session import Session

COOKIE_AGE = 365 * 24 * 3600


class Language:
    """Which language this request's page speaks, and its words in that language."""

    def __init__(self, request: Request, cookies: CookieJar, session: Session) -> None:
        self._request = request
        self._cookies = cookies
        self._session = session
        self._locale: str | None = None

    @property
    def locale(self) -> str:
        """The account's stored choice, else the one this browser picked with the switcher,
        else the best match for Accept-Language."""
        if self._locale is None:
            user = self._session.user()
            self._locale = (
                (user.locale if user else None)
                or supported(self._cookies.get(cookie_jar.LANGUAGE))
                or negotiate(self._request.headers.get("accept-language", ""))
            )
        return self._locale

    def choose(self, locale: str) -> None:
        """Speak `locale` from this answer on, and remember it in this browser."""
        self._locale = locale
        self._cookies.set(cookie_jar.LANGUAGE, locale, max_age=COOKIE_AGE)

    def say(self, text: str) -> str:
        """`text` (marked with N_ where it was written) in the page's language."""
        return translate(self.locale, text)
