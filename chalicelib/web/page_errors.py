"""Page views raise the domain's errors; this is the one place that answers them.

A view declares the page its form lives on (a FormPage: template, title, and where each
failure shows) and raises; `page_errors` turns every error into that page's answer, as
`api_errors` (web/api_errors.py) does for the JSON API. `with_form` reads a posted form and
checks its CSRF token first, the same way for every form.

    CsrfError               400, "this form has expired": the form again with what was typed
                              (the error page when no form was read)
    PayloadTooLargeError    413 (error page)
    RateLimitedError        429 with Retry-After: the form again with what was typed and how
                              many minutes to wait (the error page when no form was read)
    AlreadyConfirmedError   the confirmation page: the address is confirmed already
    InvalidTokenError       the dead-link answer for what the link was for (400)
    AddressTakenError       409 on the confirmation page
    ValidationError         400: the form again, each error under its field
    ConflictError             (the error page when no form was read)
    NotFoundError           404 (error page): not the signed-in account's, or gone
    SessionEndedError       signed out, to the login page: too many wrong passwords
    AuthenticationError     the form again: the password field refused (400), or the
                              whole sign-in refused (401)

Any other error is a failure on our side: it goes on to the 500 page (web/fallbacks.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.app import Response

from chalicelib import links
from chalicelib.auth.tokens import Purpose
from chalicelib.errors import (
    AddressTakenError,
    AlreadyConfirmedError,
    AppError,
    AuthenticationError,
    ConflictError,
    CsrfError,
    InvalidTokenError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    SessionEndedError,
    ValidationError,
)
from chalicelib.i18n import N_
from chalicelib.web.forms import NOT_CURRENT_PASSWORD, FieldErrors
from chalicelib.web.http import parse_form
from chalicelib.web.page import PageRequest
from chalicelib.web.wording import CONFIRM_TITLE, SECURE_TITLE, token_failure

View = Callable[..., Response]

FORM_EXPIRED = N_(
    "This form has expired or did not come from this site. "
    "Please go back, reload the page and try again."
)
FORM_EXPIRED_KEPT = N_(
    "This form had expired or did not come from this site, so nothing was done. "
    "Check what you typed and send it again."
)
TOO_MANY_REQUESTS = N_("Too Many Requests")


@dataclass(frozen=True)
class FormPage:
    """A page built around one form, as its views declare it."""

    template: str
    title: str
    field: str  # where an error that names no field of its own is shown
    # Where the owner proves it is them (the current password): an AuthenticationError
    # marks that field wrong. None: the whole form is refused (401), as a sign-in is.
    proof_field: str | None = None
    token_page: bool = False  # reached by an emailed link (PageRequest.render)

    def render(
        self,
        page: PageRequest,
        status: int = 200,
        errors: dict[str, str] | None = None,
        error: str | None = None,
        **context: Any,
    ) -> Response:
        """The form, with what was typed (templates never show a password back)."""
        return page.render(
            self.template,
            status=status,
            token_page=self.token_page,
            title=self.title,
            form=page.posted or {},
            errors=errors or {},
            error=error,
            **context,
        )


def dead_link(page: PageRequest, exc: InvalidTokenError) -> Response:
    """Where an emailed link that no longer works leads: a dead reset link back to the
    request form (a new link is one step away), a dead confirmation link to its page."""
    if exc.purpose == Purpose.RESET_PASSWORD.value:
        return page.redirect(links.RESET_REQUEST, flash="invalid_link")
    if exc.purpose == Purpose.SECURE_ACCOUNT.value:  # no new link to ask for: say so, 400
        return page.render(
            "secure_account_invalid.html",
            status=400,
            token_page=True,
            title=SECURE_TITLE,
            message=token_failure(exc),
        )
    return confirmation_refused(page, token_failure(exc))


def confirmation_refused(page: PageRequest, message: str, status: int = 400) -> Response:
    """Never a raw error: what happened, and (signed in) a button for a new link."""
    return page.render(
        "verify_email_invalid.html",
        status=status,
        token_page=True,
        title=CONFIRM_TITLE,
        message=message,
    )


def too_many_requests(page: PageRequest, exc: RateLimitedError, form: FormPage | None) -> Response:
    """429: what the cap refused and how many minutes to wait (Retry-After, rounded up), on
    the form as it was typed, or on a page titled for it."""
    headers = {"Retry-After": str(exc.retry_after)}
    minutes = max(1, math.ceil(exc.retry_after / 60))
    if form is not None:
        return form.render(page, 429, error=exc.message, retry_minutes=minutes, headers=headers)
    return page.render(
        "error.html",
        status=429,
        title=TOO_MANY_REQUESTS,
        headers=headers,
        message=exc.message,
        retry_minutes=minutes,
        reference=None,
    )


def _said(exc: AppError) -> str:
    """An error's own words as raised (marked words stay translatable)."""
    words = exc.args[0] if exc.args else ""
    return words if isinstance(words, str) else str(exc)


def answer(page: PageRequest, exc: AppError, form: FormPage | None) -> Response:
    """The one page answer to `exc`, raised while serving `form`'s page (see above)."""
    kept = form is not None and page.posted is not None  # a form to show again, as typed
    if isinstance(exc, CsrfError):
        if form is not None and kept:
            return form.render(page, 400, error=FORM_EXPIRED_KEPT)
        return page.sorry(400, FORM_EXPIRED)
    if isinstance(exc, PayloadTooLargeError):
        return page.sorry(413, exc.message)
    if isinstance(exc, RateLimitedError):
        return too_many_requests(page, exc, form if kept else None)
    if isinstance(exc, AlreadyConfirmedError):
        return page.render("verify_email_confirmed.html", token_page=True, title=CONFIRM_TITLE)
    if isinstance(exc, InvalidTokenError):
        return dead_link(page, exc)
    if isinstance(exc, AddressTakenError):
        return confirmation_refused(page, exc.message, status=409)
    if isinstance(exc, ValidationError | ConflictError):
        if form is None or page.posted is None:
            return page.sorry(400, exc.message)
        errors = (
            exc.errors if isinstance(exc, FieldErrors) else {exc.field or form.field: exc.message}
        )
        return form.render(page, 400, errors=errors)
    if isinstance(exc, NotFoundError):
        return page.sorry(404, _said(exc))
    if isinstance(exc, SessionEndedError):
        page.session.log_out()
        return page.redirect("/login", flash="session_ended")
    if isinstance(exc, AuthenticationError) and form is not None:
        if form.proof_field is None:
            return form.render(page, 401, error=_said(exc))
        return form.render(page, 400, errors={form.proof_field: NOT_CURRENT_PASSWORD})
    raise exc


def page_errors(form: FormPage | None = None) -> Callable[[View], View]:
    """Answer every domain error the view raises as `form`'s page does (`answer`)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(page: PageRequest, *args: Any, **kwargs: Any) -> Response:
            try:
                return view(page, *args, **kwargs)
            except AppError as exc:
                return answer(page, exc, form)

        return wrapper

    return decorate


def with_form(form: FormPage | None = None) -> Callable[[View], View]:
    """Read the posted form and check its CSRF token, then hand the form to the view;
    every error on the way, and the view's own, is answered by page_errors(form)."""

    def decorate(view: View) -> View:
        @page_errors(form)
        @functools.wraps(view)
        def wrapper(page: PageRequest, *args: Any, **kwargs: Any) -> Response:
            page.posted = parse_form(page.request)
            page.csrf.check(page.posted)
            return view(page, page.posted, *args, **kwargs)

        return wrapper

    return decorate
