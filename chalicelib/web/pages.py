"""HTML pages: the tutorial's forms, with CSRF, sessions and flash messages."""

from __future__ import annotations

import functools
import re
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.auth import accounts, preferences
from chalicelib.auth.login import is_current_password
from chalicelib.i18n import N_
from chalicelib.web.assets import CACHE_FOREVER, asset
from chalicelib.web.forms import (
    REMEMBER_ME_VALUES,
    check_new_password,
    check_registration,
    with_proof,
)
from chalicelib.web.http import FORM_TYPE, client_key, origin_of
from chalicelib.web.page import PageRequest
from chalicelib.web.page_errors import FormPage, View, with_form

pages = Blueprint(__name__)

# Where the language switcher may send a browser back to: one of our own paths.
LOCAL_PATH = re.compile(r"/(?!/)[A-Za-z0-9._~%/-]{0,1000}")

HOME_TITLE = N_("Home")
LOGIN = FormPage("login.html", N_("Sign In"), field="username")
REGISTER = FormPage("register.html", N_("Register"), field="username")
CHANGE_PASSWORD = FormPage(
    "change_password.html",
    N_("Change Password"),
    field="password",
    proof_field="current_password",
)


def _page() -> PageRequest:
    request = pages.current_request
    assert request is not None
    return PageRequest(request)


def any_visitor(view: View) -> View:
    """Anyone gets the view, with their PageRequest (logged in or not)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        return view(_page(), *args, **kwargs)

    return wrapper


def anonymous_only(view: View) -> View:
    """Logged-in users are sent home; others get the view with their PageRequest."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        page = _page()
        if page.session.user() is not None:
            return page.redirect("/")
        return view(page, *args, **kwargs)

    return wrapper


def logged_in_only(view: View) -> View:
    """Anonymous visitors are sent to the login page; others get the view."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        page = _page()
        if page.session.user() is None:
            return page.redirect("/login", flash="login_required")
        return view(page, *args, **kwargs)

    return wrapper


@pages.route("/", methods=["GET"])
@logged_in_only
def index(page: PageRequest) -> Response:
    return page.render("index.html", title=HOME_TITLE)


@pages.route("/login", methods=["GET"])
@anonymous_only
def login_form(page: PageRequest) -> Response:
    return LOGIN.render(page)


@pages.route("/login", methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form(LOGIN)
def login(page: PageRequest, form: dict[str, str]) -> Response:
    user = accounts.authenticate(
        form.get("username", ""),
        form.get("password", ""),
        client_key(page.request),
        page.device.token(),
        origin_of(page.request),
    )
    page.session.log_in(user, remember=form.get("remember_me", "") in REMEMBER_ME_VALUES)
    page.device.trust(user)
    return page.redirect("/")


@pages.route("/logout", methods=["GET"])
@any_visitor
def logout_form(page: PageRequest) -> Response:
    """A confirmation form only: a link or image on another site must not log anyone out."""
    return page.render("logout.html", title=N_("Log out"))


@pages.route("/logout", methods=["POST"], content_types=[FORM_TYPE])
@any_visitor
@with_form()
def logout(page: PageRequest, form: dict[str, str]) -> Response:
    page.session.log_out()
    return page.redirect("/login", flash="logged_out")


@pages.route("/register", methods=["GET"])
@anonymous_only
def register_form(page: PageRequest) -> Response:
    return REGISTER.render(page)


@pages.route("/register", methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form(REGISTER)
def register(page: PageRequest, form: dict[str, str]) -> Response:
    check_registration(form)
    accounts.register(
        form.get("username", ""),
        form.get("email", ""),
        form.get("password", ""),
        client_key(page.request),
        locale=page.language.locale,
        origin=origin_of(page.request),
    )
    return page.redirect("/login", flash="registered")


@pages.route("/change_password", methods=["GET"])
@logged_in_only
def change_password_form(page: PageRequest) -> Response:
    return CHANGE_PASSWORD.render(page)


@pages.route("/change_password", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form(CHANGE_PASSWORD)
def change_password(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    with_proof(
        lambda: check_new_password(form, user.username, user.email),
        "current_password",
        lambda: is_current_password(
            user, form.get("current_password", ""), page.session.id(), origin_of(page.request)
        ),
    )
    changed = accounts.change_password(
        user,
        form.get("current_password", ""),
        form.get("password", ""),
        page.session.id(),
        origin_of(page.request),
    )
    # Every older session and device token is void now; this browser gets fresh ones.
    page.session.log_in(changed, remember=False)
    page.device.trust(changed)
    return page.redirect("/", flash="password_changed")


@pages.route("/language", methods=["POST"], content_types=[FORM_TYPE])
@any_visitor
@with_form()
def choose_language(page: PageRequest, form: dict[str, str]) -> Response:
    """The switcher: this browser remembers the choice; an account stores it for its emails.

    Back to the page it was made on (a path of ours, under the configured base URL).
    """
    locale = preferences.offered_locale(form.get("locale", ""))
    user = page.session.user()
    if user is not None:
        preferences.set_locale(user, locale)
    page.language.choose(locale)
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
