"""Per-request state of an HTML page: session, CSRF, flash messages, cookies to set."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib import rendering
from chalicelib.auth import passwords, tokens
from chalicelib.auth.users import User, issue_token, user_for_token
from chalicelib.errors import CsrfError, InvalidTokenError, PayloadTooLargeError, ValidationError
from chalicelib.i18n import LANGUAGE_NAMES, N_, negotiate, supported, translate
from chalicelib.settings import get_settings
from chalicelib.web import signing, wording
from chalicelib.web.assets import asset_name
from chalicelib.web.http import PAGE_HEADERS, TOKEN_PAGE_HEADERS, cookies, parse_form, set_cookie

SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf"
FLASH_COOKIE = "flash"
LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600

# Flash cookies carry a code, never text, so nobody can plant words on our pages.
FLASHES = {
    "password_reset": wording.PASSWORD_RESET,
    "invalid_link": N_(
        "That password reset link is invalid or has expired. Please request a new one."
    ),
    "registered": N_(
        "Congratulations, you are now a registered user! "
        "Please check your email for a link that confirms your address."
    ),
    "email_confirmed": wording.EMAIL_CONFIRMED,
    "verification_sent": wording.VERIFICATION_SENT,
    "email_change_requested": wording.EMAIL_CHANGE_REQUESTED,
    "login_required": N_("Please log in to access this page."),
    "logged_out": N_("You have been logged out."),
    "password_changed": N_("Your password has been changed."),
}
FORM_EXPIRED = N_(
    "This form has expired or did not come from this site. "
    "Please go back, reload the page and try again."
)


CSRF_KEY_LABEL = "csrf"


def _csrf_message(nonce: str, session: str) -> str:
    """What a CSRF token signs: the nonce, bound to the session cookie too. A sibling subdomain
    can plant a nonce cookie and know its token, but not the victim's session, so the pair fails."""
    return f"csrf:{nonce}:{session}"


class PageRequest:
    """Reads the cookies of one request once and collects the cookies to send back."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.cookies = cookies(request)
        self.outgoing: list[str] = []
        self._user: User | None = None
        self._user_loaded = False
        self._locale: str | None = None

    # -- session -------------------------------------------------------------
    def forget_session(self) -> PageRequest:
        """Render as for a visitor: an error page must not depend on reading the account."""
        self._user, self._user_loaded = None, True
        return self

    def user(self) -> User | None:
        """The logged-in user, if the session cookie is valid and still current."""
        if not self._user_loaded:
            self._user_loaded = True
            token = self.cookies.get(SESSION_COOKIE, "")
            if token:
                try:
                    self._user = user_for_token(tokens.Purpose.SESSION, token)
                except InvalidTokenError:
                    # Gone from here on too: the CSRF token is bound to the session cookie,
                    # and the browser will not send this one again.
                    del self.cookies[SESSION_COOKIE]
                    self.outgoing.append(set_cookie(SESSION_COOKIE, "", max_age=0))
        return self._user

    def log_in(self, user: User, remember: bool) -> None:
        settings = get_settings()
        ttl = settings.remember_me_ttl if remember else settings.session_ttl
        token = issue_token(user, tokens.Purpose.SESSION, ttl)
        self.outgoing.append(set_cookie(SESSION_COOKIE, token, max_age=ttl if remember else None))
        # A new session gets a new CSRF nonce (no fixation across login).
        self.outgoing.append(set_cookie(CSRF_COOKIE, "", max_age=0))

    def log_out(self) -> None:
        self.outgoing.append(set_cookie(SESSION_COOKIE, "", max_age=0))

    # -- language --------------------------------------------------------------
    @property
    def locale(self) -> str:
        """The page's language: the account's stored choice, else the one this browser
        picked with the switcher, else the best match for Accept-Language."""
        if self._locale is None:
            user = self.user()
            self._locale = (
                (user.locale if user else None)
                or supported(self.cookies.get(LANG_COOKIE))
                or negotiate(self.request.headers.get("accept-language", ""))
            )
        return self._locale

    def choose_locale(self, locale: str) -> None:
        """Speak `locale` from this answer on, and remember it in this browser."""
        self._locale = locale
        self.outgoing.append(set_cookie(LANG_COOKIE, locale, max_age=LANG_COOKIE_AGE))

    def here(self) -> str:
        """This page's own path (tokens included), for the switcher to come back to."""
        return self.request.path.format(**(self.request.uri_params or {}))

    def say(self, text: str) -> str:
        """`text` (marked with N_ where it was written) in the page's language."""
        return translate(self.locale, text)

    # -- CSRF (signed double submit; no reliance on Referer) ----------------
    def csrf_token(self) -> str:
        nonce = self.cookies.get(CSRF_COOKIE, "")
        if len(nonce) < 32:
            nonce = secrets.token_urlsafe(32)
            self.cookies[CSRF_COOKIE] = nonce
            self.outgoing.append(set_cookie(CSRF_COOKIE, nonce))
        return signing.sign(
            CSRF_KEY_LABEL, _csrf_message(nonce, self.cookies.get(SESSION_COOKIE, ""))
        )

    def check_csrf(self, form: dict[str, str]) -> None:
        nonce = self.cookies.get(CSRF_COOKIE, "")
        sent = form.get("csrf_token", "")
        session = self.cookies.get(SESSION_COOKIE, "")
        if (
            not nonce
            or not sent
            or not signing.verify(CSRF_KEY_LABEL, _csrf_message(nonce, session), sent)
        ):
            raise CsrfError("missing or forged CSRF token")

    # -- flash messages ------------------------------------------------------
    def flash(self, code: str) -> None:
        self.outgoing.append(set_cookie(FLASH_COOKIE, code, max_age=60))

    def _pop_flash(self) -> str | None:
        code = self.cookies.get(FLASH_COOKIE)
        if code is None:
            return None
        self.outgoing.append(set_cookie(FLASH_COOKIE, "", max_age=0))
        return FLASHES.get(code)

    # -- responses -----------------------------------------------------------
    def url(self, path: str) -> str:
        return get_settings().base_path + path

    def page(
        self,
        template: str,
        status: int = 200,
        token_page: bool = False,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        say = self.say
        for key in ("message", "error"):
            if isinstance(context.get(key), str):
                context[key] = say(context[key])
        if context.get("errors"):
            context["errors"] = {field: say(text) for field, text in context["errors"].items()}
        flash = self._pop_flash()
        body = rendering.render(
            template,
            self.locale,
            title=say(title) if title else None,
            url=self.url,
            static=lambda name: self.url(f"/static/{asset_name(name)}"),
            # A page reached by an emailed link keeps its token out of the body: switching
            # the language there goes home, and the link still opens the page again.
            here=None if token_page else self.here(),
            languages=LANGUAGE_NAMES,
            password_rules=say(passwords.RULES),
            password_lengths={"minlength": passwords.MIN_LENGTH, "maxlength": passwords.MAX_LENGTH},
            current_user=self.user(),
            csrf_token=self.csrf_token(),
            flash=say(flash) if flash else None,
            **context,
        )
        sent: dict[str, Any] = {**(TOKEN_PAGE_HEADERS if token_page else PAGE_HEADERS)}
        sent["Content-Language"] = self.locale
        sent.update(headers or {})
        if self.outgoing:
            sent["Set-Cookie"] = self.outgoing
        return Response(body=body, status_code=status, headers=sent)

    def redirect(self, path: str, flash: str | None = None) -> Response:
        """A 303 to an absolute URL under the configured base (never the Host header)."""
        if flash:
            self.flash(flash)
        headers: dict[str, Any] = {
            "Location": get_settings().public_base_url + path,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        }
        if self.outgoing:
            headers["Set-Cookie"] = self.outgoing
        return Response(body="", status_code=303, headers=headers)


def with_form(view: Callable[..., Response]) -> Callable[..., Response]:
    """Parse the posted form and check its CSRF token before the view sees it."""

    @functools.wraps(view)
    def wrapper(page: PageRequest, *args: Any, **kwargs: Any) -> Response:
        try:
            form = parse_form(page.request)
            page.check_csrf(form)
        except PayloadTooLargeError as exc:
            return page.page("error.html", status=413, message=exc.message)
        except ValidationError as exc:
            return page.page("error.html", status=400, message=exc.message)
        except CsrfError:
            return page.page(
                "error.html",
                status=400,
                message=FORM_EXPIRED,
            )
        return view(page, form, *args, **kwargs)

    return wrapper
