"""One HTML request: its parts, each doing one thing, and the answers made from them.

The parts: the cookies (cookie_jar), who is signed in (session), the language (language),
the CSRF token (csrf), the flash message (flash) and this browser as a trusted device
(device). A view reads what it needs from them and answers with `render` (a page) or
`redirect` (a 303); every cookie a part changed goes out with that answer.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Request, Response

from chalicelib import rendering
from chalicelib.auth import passwords
from chalicelib.i18n import LANGUAGE_NAMES, N_
from chalicelib.settings import get_settings
from chalicelib.web.assets import asset_name
from chalicelib.web.cookie_jar import CookieJar
from chalicelib.web.csrf import Csrf
from chalicelib.web.device import TrustedDevice
from chalicelib.web.flash import Flash
from chalicelib.web.http import PAGE_HEADERS, TOKEN_PAGE_HEADERS
from chalicelib.web.language import Language
from chalicelib.web.session import Session

SORRY = N_("Sorry")


def url(path: str) -> str:
    """A path of ours, under the configured base path."""
    return get_settings().base_path + path


class PageRequest:
    """A page request's parts, and the page or redirect it answers with."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.cookies = CookieJar(request.headers.get("cookie", ""))
        self.session = Session(self.cookies, request)
        self.language = Language(request, self.cookies, self.session)
        self.csrf = Csrf(self.cookies)
        self.flash = Flash(self.cookies)
        self.device = TrustedDevice(self.cookies)
        # The posted form, once read (web/page_errors.py shows it again with its errors).
        self.posted: dict[str, str] | None = None

    def _here(self) -> str:
        """This page's own path (tokens included), for the switcher to come back to."""
        return self.request.path.format(**(self.request.uri_params or {}))

    def render(
        self,
        template: str,
        status: int = 200,
        token_page: bool = False,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        """A page: `template` in the reader's language, with the site's headers.

        `message`, `error` and `errors` in the context are words (marked with N_) and are
        translated here. A page reached by an emailed link (`token_page`) keeps its token out
        of the body and of the Referer.
        """
        say = self.language.say
        for key in ("message", "error"):
            if isinstance(context.get(key), str):
                context[key] = say(context[key])
        if context.get("errors"):
            context["errors"] = {field: say(text) for field, text in context["errors"].items()}
        flash = self.flash.pop()
        current_user = self.session.user()  # first: a stale session cookie is dropped...
        csrf_token = self.csrf.token()  # ...before the CSRF token is bound to it
        body = rendering.render(
            template,
            self.language.locale,
            title=say(title) if title else None,
            url=url,
            static=lambda name: url(f"/static/{asset_name(name)}"),
            # Switching the language on a token page goes home; the link still opens it again.
            here=None if token_page else self._here(),
            languages=LANGUAGE_NAMES,
            password_rules=say(passwords.RULES),
            password_lengths={"minlength": passwords.MIN_LENGTH, "maxlength": passwords.MAX_LENGTH},
            current_user=current_user,
            csrf_token=csrf_token,
            flash=say(flash[0]) if flash else None,
            flash_kind=flash[1] if flash else None,
            **context,
        )
        sent: dict[str, Any] = {**(TOKEN_PAGE_HEADERS if token_page else PAGE_HEADERS)}
        sent["Content-Language"] = self.language.locale
        sent.update(headers or {})
        if self.cookies.outgoing:
            sent["Set-Cookie"] = self.cookies.outgoing
        return Response(body=body, status_code=status, headers=sent)

    def sorry(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> Response:
        """The error page: what went wrong, the way back, and a reference to quote if any."""
        return self.render(
            "error.html",
            status=status,
            title=SORRY,
            headers=headers,
            message=message,
            reference=reference,
        )

    def redirect(self, path: str, flash: str | None = None) -> Response:
        """A 303 to an absolute URL under the configured base (never the Host header)."""
        if flash:
            self.flash.add(flash)
        headers: dict[str, Any] = {
            "Location": get_settings().public_base_url + path,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        }
        if self.cookies.outgoing:
            headers["Set-Cookie"] = self.cookies.outgoing
        return Response(body="", status_code=303, headers=headers)
