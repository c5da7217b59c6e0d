"""CSRF tokens: a signed double submit, bound to the session cookie; no reliance on Referer.

The browser holds a random nonce in a cookie; a form carries a token signed over that nonce
and the session cookie. A sibling subdomain can plant a nonce cookie and know its token, but
not the victim's session, so the pair fails.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from chalicelib.errors import CsrfError
from chalicelib.web import cookie_jar, signing
from chalicelib.web.cookie_jar import CookieJar

KEY_LABEL = "csrf"
NONCE_BYTES = 32  # a fresh nonce is 43 characters; one shorter than 32 is replaced


class Csrf:
    """The CSRF token of this browser's forms, and the check of a posted one."""

    def __init__(self, cookies: CookieJar) -> None:
        self._cookies = cookies

    def _message(self) -> str:
        nonce = self._cookies.get(cookie_jar.CSRF)
        return f"csrf:{nonce}:{self._cookies.get(cookie_jar.SESSION)}"

    def token(self) -> str:
        """The token for this browser's forms (a nonce cookie is set first if it has none)."""
        if len(self._cookies.get(cookie_jar.CSRF)) < NONCE_BYTES:
            self._cookies.set(cookie_jar.CSRF, secrets.token_urlsafe(NONCE_BYTES))
        return signing.sign(KEY_LABEL, self._message())

    def check(self, form: Mapping[str, str]) -> None:
        """Raises CsrfError unless the form carries this browser's token."""
        sent = form.get("csrf_token", "")
        if (
            not self._cookies.get(cookie_jar.CSRF)
            or not sent
            or not signing.verify(KEY_LABEL, self._message(), sent)
        ):
            raise CsrfError("missing or forged CSRF token")
