"""HTML pages: the tutorial's forms, with CSRF, sessions and flash messages."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.auth import accounts, preferences
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    RateLimitedError,
    ValidationError,
)
from chalicelib.i18n import N_
from chalicelib.web.assets import CACHE_FOREVER, asset
from chalicelib.web.context import PageRequest, with_form
from chalicelib.web.forms import REMEMBER_ME_VALUES, new_password_errors, registration_errors
from chalicelib.web.http import FORM_TYPE, client_key

pages = Blueprint(__name__)

# Where the language switcher may send a browser back to: one of our own paths.
LOCAL_PATH = re.compile(r"/(?!/)[A-Za-z0-9._~%/-]{0,1000}")

HOME_TITLE = N_("Home")
SIGN_IN_TITLE = N_("Sign In")
REGISTER_TITLE = N_("Register")
CHANGE_PASSWORD_TITLE = N_("Change Password")
NOT_CURRENT_PASSWORD = N_("That is not your current password.")


def _page() -> PageRequest:
    request = pages.current_request
    assert request is not None
    return PageRequest(request)


def any_visitor(view: Callable[..., Response]) -> Callable[..., Response]:
    """Anyone gets the view, with their PageRequest (logged in or not)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        return view(_page(), *args, **kwargs)

    return wrapper


def anonymous_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """Logged-in users are sent home; others get the view with their PageRequest."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        page = _page()
        if page.user() is not None:
            return page.redirect("/")
        return view(page, *args, **kwargs)

    return wrapper


def logged_in_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """Anonymous visitors are sent to the login page; others get the view."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        page = _page()
        if page.user() is None:
            return page.redirect("/login", flash="login_required")
        return view(page, *args, **kwargs)

    return wrapper


@pages.route("/", methods=["GET"])
@logged_in_only
def index(page: PageRequest) -> Response:
    return page.page("index.html", title=HOME_TITLE)


@pages.route("/login", methods=["GET"])
@anonymous_only
def login_form(page: PageRequest) -> Response:
    return page.page("login.html", title=SIGN_IN_TITLE, form={}, error=None)


@pages.route("/login", methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form
def login(page: PageRequest, form: dict[str, str]) -> Response:
    try:
        user = accounts.authenticate(
            form.get("username", ""), form.get("password", ""), client_key(page.request)
        )
    except AuthenticationError:
        return page.page(
            "login.html",
            status=401,
            title=SIGN_IN_TITLE,
            form=form,
            error=accounts.LOGIN_FAILED,
        )
    page.log_in(user, remember=form.get("remember_me", "") in REMEMBER_ME_VALUES)
    return page.redirect("/")


@pages.route("/logout", methods=["GET"])
def logout_form() -> Response:
    """A confirmation form only: a link or image on another site must not log anyone out."""
    return _page().page("logout.html", title=N_("Log out"))


@pages.route("/logout", methods=["POST"], content_types=[FORM_TYPE])
def logout() -> Response:
    return _logout(_page())


@with_form
def _logout(page: PageRequest, form: dict[str, str]) -> Response:
    page.log_out()
    return page.redirect("/login", flash="logged_out")


@pages.route("/register", methods=["GET"])
@anonymous_only
def register_form(page: PageRequest) -> Response:
    return page.page("register.html", title=REGISTER_TITLE, form={}, errors={})


@pages.route("/register", methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form
def register(page: PageRequest, form: dict[str, str]) -> Response:
    errors = registration_errors(form)
    if errors:
        return page.page(
            "register.html", status=400, title=REGISTER_TITLE, form=form, errors=errors
        )
    try:
        accounts.register(
            form.get("username", ""),
            form.get("email", ""),
            form.get("password", ""),
            client_key(page.request),
            locale=page.locale,
        )
    except RateLimitedError as exc:
        retry = {"Retry-After": str(exc.retry_after)}
        return page.page("error.html", status=429, headers=retry, message=exc.message)
    except (ValidationError, ConflictError) as exc:
        errors = {exc.field or "username": exc.message}
        return page.page(
            "register.html", status=400, title=REGISTER_TITLE, form=form, errors=errors
        )
    return page.redirect("/login", flash="registered")


@pages.route("/change_password", methods=["GET"])
@logged_in_only
def change_password_form(page: PageRequest) -> Response:
    return page.page("change_password.html", title=CHANGE_PASSWORD_TITLE, errors={})


@pages.route("/change_password", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form
def change_password(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.user()
    assert user is not None
    errors = new_password_errors(form, user.username, user.email)
    if errors:
        return page.page(
            "change_password.html", status=400, title=CHANGE_PASSWORD_TITLE, errors=errors
        )
    try:
        user = accounts.change_password(
            user, form.get("current_password", ""), form.get("password", "")
        )
    except AuthenticationError:
        errors = {"current_password": NOT_CURRENT_PASSWORD}
        return page.page(
            "change_password.html", status=400, title=CHANGE_PASSWORD_TITLE, errors=errors
        )
    except ValidationError as exc:
        errors = {exc.field or "password": exc.message}
        return page.page(
            "change_password.html", status=400, title=CHANGE_PASSWORD_TITLE, errors=errors
        )
    # Every older session is void now; this browser gets a fresh one.
    page.log_in(user, remember=False)
    return page.redirect("/", flash="password_changed")


@pages.route("/language", methods=["POST"], content_types=[FORM_TYPE])
@any_visitor
@with_form
def choose_language(page: PageRequest, form: dict[str, str]) -> Response:
    """The switcher: this browser remembers the choice; an account stores it for its emails.

    Back to the page it was made on (a path of ours, under the configured base URL).
    """
    try:
        locale = preferences.offered_locale(form.get("locale", ""))
    except ValidationError as exc:
        return page.page("error.html", status=400, message=exc.message)
    user = page.user()
    if user is not None:
        preferences.set_locale(user, locale)
    page.choose_locale(locale)
    back = form.get("next", "")
    return page.redirect(back if LOCAL_PATH.fullmatch(back) else "/")


@pages.route("/static/{name}", methods=["GET"])
def static_file(name: str) -> Response:
    """A fingerprinted static file, cached for a year; an unknown or stale name is a 404."""
    found = asset(name)
    if found is None:
        return Response(body="Not found", status_code=404, headers={"Content-Type": "text/plain"})
    content_type, content = found
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Cache-Control": CACHE_FOREVER,
    }
    return Response(body=content, status_code=200, headers=headers)


@pages.route("/favicon.ico", methods=["GET"])
def favicon() -> Response:
    """No icon: an empty answer instead of API Gateway's 403 on every page view."""
    return Response(body="", status_code=204, headers={"Cache-Control": "max-age=86400"})
